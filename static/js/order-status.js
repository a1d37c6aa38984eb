// Pending-payment view: ask our server (not the gateway) whether the outcome is known yet, and
// reload the page once it is. Without JavaScript, a <noscript> meta refresh does the same.
(function () {
  "use strict";

  function watchOrder(box, onFinal) {
    if (!box || box.dataset.view !== "pending") return;
    var url = box.dataset.statusUrl;
    var started = Date.now();

    function delay() {
      return Date.now() - started < 120000 ? 2000 : 5000;
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.final) {
            (onFinal || function () { window.location.reload(); })(data);
          } else {
            window.setTimeout(poll, delay());
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }

    window.setTimeout(poll, 1500);
  }

  window.LoomLeaf = window.LoomLeaf || {};
  window.LoomLeaf.watchOrder = watchOrder;
  if (!document.getElementById("embedded-checkout")) {
    watchOrder(document.getElementById("order-result"));
  }
})();
