/* The sandbox pay page inside PhonePeCheckout's iframe (mode=iframe).
 *
 * Reads #phonepe-sandbox-frame (see templates/sandbox/_frame.html):
 *   data-merchant-origin    where the messages may go (from the order's redirectUrl)
 *   data-merchant-order-id  echoed in each message
 *   data-status             on the "done" page only: CONCLUDED or USER_CANCEL, posted at once
 * Without data-status (the pay page itself), Escape asks the overlay to close with USER_CANCEL:
 * keys pressed inside the frame never reach the merchant's page, so its own Escape handler
 * cannot see them.
 *
 * Message: {source: "phonepe-sandbox", status: "CONCLUDED" | "USER_CANCEL", merchantOrderId}.
 */
(function () {
  "use strict";

  var frame = document.getElementById("phonepe-sandbox-frame");
  // Opened on its own (not framed), or no merchant origin to address: nothing to tell.
  if (!frame || window.parent === window || !frame.dataset.merchantOrigin) {
    return;
  }

  function tell(status) {
    var message = {
      source: "phonepe-sandbox",
      status: status,
      merchantOrderId: frame.dataset.merchantOrderId,
    };
    // A named target origin: the browser drops the message if another site framed the page.
    window.parent.postMessage(message, frame.dataset.merchantOrigin);
  }

  if (frame.dataset.status) {
    tell(frame.dataset.status);
    return;
  }

  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && !event.defaultPrevented) {
      tell("USER_CANCEL");
    }
  });
})();
