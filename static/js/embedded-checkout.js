// Embedded checkout: PhonePe's page in an iframe over ours (the gateway's checkout.js), then the
// result from our server, shown in place. The callback says only that the shopper finished or
// cancelled, never whether money moved: our server asks the gateway's status API.
(function () {
  "use strict";
  var root = document.getElementById("embedded-checkout");
  if (!root || !window.PhonePeCheckout) return;  // no script: the form falls back to redirect

  var form = document.getElementById("pay-here-form");
  var notice = document.getElementById("checkout-notice");
  var result = document.getElementById("checkout-result");
  var step = document.getElementById("pay-step");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var busy = false;

  function say(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  function showResult(data) {
    result.innerHTML = data.html;
    step.hidden = true;
    var box = result.querySelector("#order-result");
    if (box) {
      box.setAttribute("tabindex", "-1");
      box.focus();
    }
    if (data.view === "pending" && window.LoomLeaf) {
      window.LoomLeaf.watchOrder(box, function () { verify(); });
    }
  }

  function askServer() {
    return fetch(root.dataset.verifyUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function verify() {
    say("Checking your payment with PhonePe…");
    askServer()
      .then(function (data) { say(""); showResult(data); })
      .catch(function () {
        say("We couldn't check your payment just now. Please don't pay again; refresh this page in a moment.");
      });
  }

  function onDone(response) {
    busy = false;
    if (response === "CONCLUDED") {
      verify();
      return;
    }
    say("You closed the payment window. Your order is saved; pay whenever you are ready.");
    // The shopper may have cancelled on the gateway's page (that attempt is then over, and the
    // next Pay starts a new one), or paid before closing (then show it). Until we know, Pay waits.
    var button = document.getElementById("pay-here");
    button.disabled = true;
    askServer()
      .then(function (data) {
        if (data.view === "paid" || data.view === "attention") {
          showResult(data);
        } else if (data.view !== "pending" && data.view !== "not_started") {
          root.dataset.tokenUrl = "";
        }
      })
      .catch(function () { root.dataset.tokenUrl = ""; })
      .then(function () {
        button.disabled = false;
        button.focus();
      });
  }

  function open() {
    var tokenUrl = root.dataset.tokenUrl;
    if (busy) return;
    if (!tokenUrl) {
      // No payment to resume: start one, then come back here to open it.
      document.getElementById("pay-here-mode").value = "embedded";
      form.submit();
      return;
    }
    busy = true;
    say("");
    window.PhonePeCheckout.transact({ tokenUrl: tokenUrl, callback: onDone, type: "IFRAME" });
  }

  form.addEventListener("submit", function (event) {
    if (root.dataset.tokenUrl) {
      event.preventDefault();
      open();
    } else {
      document.getElementById("pay-here-mode").value = "embedded";
    }
  });

  if (root.dataset.autostart === "1") open();
})();
