{% comment %}
Served at /sandbox/checkout.js by sandbox.embedded.checkout_js. A Django template only for the
two values below: do not write two opening braces, or a brace followed by % or #, in the code.
{% endcomment %}/*
 * PhonePe checkout.js, sandbox edition. Dependency-free; PhonePe's contract:
 *
 *   window.PhonePeCheckout.transact({ tokenUrl, callback, type })
 *     type "IFRAME": opens tokenUrl (the pay API's redirectUrl), with mode=iframe added to its
 *       query string, in a modal overlay on this page. callback("CONCLUDED") when the payment
 *       flow finished inside it, callback("USER_CANCEL") when the payer cancelled or closed it;
 *       exactly once per transact. Neither value says whether the payment succeeded: ask your
 *       server, which asks the order status API.
 *     no type: redirect mode, window.location.assign(tokenUrl); the callback is never called.
 *   window.PhonePeCheckout.closePage()
 *     closes the open overlay, if any (its callback gets "USER_CANCEL").
 *
 * Nothing inline, no eval: the overlay is styled by checkout.css (added as a <link>, from where
 * this script came) and a few CSSOM assignments, so a strict Content-Security-Policy on the
 * merchant's page needs only to allow this origin in script-src, style-src and frame-src.
 *
 * Stable hooks for end-to-end tests: #phonepe-checkout-overlay, #phonepe-checkout-dialog,
 * #phonepe-checkout-close and #phonepe-checkout-iframe (title "PhonePe payment page").
 */
(function () {
  "use strict";

  if (window.PhonePeCheckout) {
    return; // loaded twice: keep the first copy, which may have a checkout open
  }

  var STYLESHEET_URL = "{{ stylesheet_url|escapejs }}";
  var IFRAME_MODE = "{{ iframe_mode|escapejs }}";
  var MESSAGE_SOURCE = "phonepe-sandbox";
  var CONCLUDED = "CONCLUDED";
  var USER_CANCEL = "USER_CANCEL";
  var OPEN_CLASS = "phonepe-checkout-open"; // on <html> while open: no scrolling behind
  var IDS = {
    stylesheet: "phonepe-checkout-stylesheet",
    overlay: "phonepe-checkout-overlay",
    dialog: "phonepe-checkout-dialog",
    title: "phonepe-checkout-title",
    close: "phonepe-checkout-close",
    iframe: "phonepe-checkout-iframe",
  };

  // The checkout on screen: { finish: function (status) }, or null.
  var current = null;

  // Loaded with the script, so it is there before the payer clicks "Pay".
  function addStylesheet() {
    if (document.getElementById(IDS.stylesheet)) {
      return;
    }
    var link = document.createElement("link");
    link.id = IDS.stylesheet;
    link.rel = "stylesheet";
    link.href = STYLESHEET_URL;
    (document.head || document.documentElement).appendChild(link);
  }

  function element(tag, id, className) {
    var node = document.createElement(tag);
    node.id = id;
    node.className = className;
    return node;
  }

  function buildOverlay(src) {
    var overlay = element("div", IDS.overlay, "phonepe-checkout");
    // Modal even while checkout.css is loading (or blocked); CSP allows CSSOM assignments.
    overlay.style.position = "fixed";
    overlay.style.inset = "0";
    overlay.style.zIndex = "2147483647";

    var dialog = element("div", IDS.dialog, "phonepe-checkout__dialog");
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", IDS.title);

    var bar = element("div", IDS.dialog + "-bar", "phonepe-checkout__bar");
    var title = element("span", IDS.title, "phonepe-checkout__title");
    title.textContent = "Pay with PhonePe";
    var close = element("button", IDS.close, "phonepe-checkout__close");
    close.type = "button";
    close.textContent = "Close";
    close.setAttribute("aria-label", "Close the payment window");
    bar.appendChild(title);
    bar.appendChild(close);

    var iframe = element("iframe", IDS.iframe, "phonepe-checkout__frame");
    iframe.name = IDS.iframe;
    iframe.title = "PhonePe payment page";
    iframe.src = src;

    dialog.appendChild(bar);
    dialog.appendChild(iframe);
    overlay.appendChild(dialog);
    return { overlay: overlay, close: close, iframe: iframe };
  }

  // Keep focus and assistive technology inside the dialog: the rest of the page goes inert.
  // Returns the function that undoes it.
  function makeOthersInert(overlay) {
    var changed = [];
    Array.prototype.forEach.call(document.body.children, function (node) {
      if (node !== overlay && !node.inert) {
        node.inert = true;
        changed.push(node);
      }
    });
    return function () {
      changed.forEach(function (node) {
        node.inert = false;
      });
    };
  }

  function openIframe(tokenUrl, callback) {
    if (current) {
      current.finish(USER_CANCEL); // one checkout at a time; the old callback still runs once
    }
    var src = new URL(tokenUrl, window.location.href);
    src.searchParams.set("mode", IFRAME_MODE);
    var parts = buildOverlay(src.href);
    var returnFocusTo = document.activeElement;
    var undoInert = null;
    var finished = false;

    function finish(status) {
      if (finished) {
        return;
      }
      finished = true;
      current = null;
      window.removeEventListener("message", onMessage);
      document.removeEventListener("keydown", onKeydown, true);
      undoInert();
      document.documentElement.classList.remove(OPEN_CLASS);
      parts.overlay.remove();
      if (returnFocusTo && returnFocusTo.focus && document.contains(returnFocusTo)) {
        returnFocusTo.focus();
      }
      if (callback) {
        callback(status);
      }
    }

    // Only the pay page in our iframe may end the checkout: the origin of tokenUrl, the frame's
    // own window, and the sandbox's message shape. Anything else is ignored.
    function onMessage(event) {
      if (event.origin !== src.origin || event.source !== parts.iframe.contentWindow) {
        return;
      }
      var data = event.data;
      if (!data || typeof data !== "object" || data.source !== MESSAGE_SOURCE) {
        return;
      }
      if (data.status === CONCLUDED || data.status === USER_CANCEL) {
        finish(data.status);
      }
    }

    // Escape while focus is on this page (inside the frame, the pay page sends USER_CANCEL).
    function onKeydown(event) {
      if (event.key === "Escape" || event.key === "Esc") {
        event.preventDefault();
        finish(USER_CANCEL);
      }
    }

    parts.close.addEventListener("click", function () {
      finish(USER_CANCEL);
    });
    window.addEventListener("message", onMessage);
    document.addEventListener("keydown", onKeydown, true);
    addStylesheet();
    document.body.appendChild(parts.overlay);
    undoInert = makeOthersInert(parts.overlay);
    document.documentElement.classList.add(OPEN_CLASS);
    parts.close.focus();
    current = { finish: finish };
  }

  function transact(options) {
    var opts = options || {};
    if (typeof opts.tokenUrl !== "string" || opts.tokenUrl === "") {
      throw new TypeError("PhonePeCheckout.transact: tokenUrl is required.");
    }
    if (String(opts.type || "").toUpperCase() !== "IFRAME") {
      window.location.assign(opts.tokenUrl);
      return;
    }
    openIframe(opts.tokenUrl, typeof opts.callback === "function" ? opts.callback : null);
  }

  function closePage() {
    if (current) {
      current.finish(USER_CANCEL);
    }
  }

  addStylesheet();
  window.PhonePeCheckout = { transact: transact, closePage: closePage };
})();
