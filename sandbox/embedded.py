"""Embedded (iframe) checkout: PhonePe's `checkout.js`, and who may frame the hosted pay page.

The merchant's page loads /sandbox/checkout.js and calls
`PhonePeCheckout.transact({tokenUrl, callback, type: "IFRAME"})`; the script opens the pay page
with `mode=iframe` in an overlay. In that mode the pay page ends on a "done" page that posts
`{source: "phonepe-sandbox", status, merchantOrderId}` to the merchant's origin, worked out from
the order's redirectUrl. Only that origin may frame the pay page (CSP frame-ancestors).
"""

import re
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.csp import CSP, build_policy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

IFRAME_MODE = "iframe"
# What the done page posts to the merchant's page; checkout.js hands it to the callback as is.
STATUS_CONCLUDED = "CONCLUDED"
STATUS_USER_CANCEL = "USER_CANCEL"
CHECKOUT_SCRIPT_MAX_AGE = 300

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A host that is safe to write into a CSP header and a postMessage target as it is.
_HOST = re.compile(r"^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])$")


def is_iframe_mode(request: HttpRequest) -> bool:
    """The pay page runs inside checkout.js's overlay (the mode rides on the query string)."""
    return request.GET.get("mode", "") == IFRAME_MODE


def merchant_origin(redirect_url: str) -> str | None:
    """`scheme://host[:port]` of the merchant's redirectUrl, as a browser spells the origin.

    None when the URL has no usable origin (the pay API only accepts http(s) URLs with a host, so
    this is for rows written by hand).
    """
    try:
        parts = urlsplit(redirect_url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if scheme not in _DEFAULT_PORTS or not _HOST.match(host):
        return None
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def pay_page_policy(origin: str | None) -> str:
    """The pay page's Content-Security-Policy: framed by the order's merchant only.

    The rest is strict because the sandbox pages need nothing inline. Form posts may end in a
    302 to the merchant (redirect mode), which form-action also governs. Without an order (a bad
    token) the page may be framed by this host only.
    """
    config: dict[str, list[str]] = {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF],
        "img-src": [CSP.SELF, "data:"],
        "form-action": [CSP.SELF, *([origin] if origin else [])],
        "frame-ancestors": [origin or CSP.SELF],
        "base-uri": [CSP.NONE],
        "object-src": [CSP.NONE],
    }
    return build_policy(config)


@require_safe
@cache_control(public=True, max_age=CHECKOUT_SCRIPT_MAX_AGE)
def checkout_js(request: HttpRequest) -> HttpResponse:
    """The sandbox's `checkout.js`: `window.PhonePeCheckout` with `transact` and `closePage`."""
    stylesheet_url = request.build_absolute_uri(static("sandbox/checkout.css"))
    return render(
        request,
        "sandbox/checkout.js",
        {"stylesheet_url": stylesheet_url, "iframe_mode": IFRAME_MODE},
        content_type="application/javascript; charset=utf-8",
    )
