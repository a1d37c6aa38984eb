// Pending-payment page: ask our server (not the gateway) whether the outcome is known yet,
// and reload the page once it is. Without JavaScript, a <noscript> meta refresh does the same.
(function () {
  "use strict";
  var box = document.getElementById("order-result");
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
          window.location.reload();
        } else {
          window.setTimeout(poll, delay());
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1500);
})();
