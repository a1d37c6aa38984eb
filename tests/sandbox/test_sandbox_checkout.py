"""Embedded checkout: the sandbox's checkout.js, the pay page in iframe mode, who may frame it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from django.contrib.staticfiles import finders

from sandbox.embedded import merchant_origin
from sandbox.models import SandboxWebhook

pytestmark = pytest.mark.django_db

MERCHANT = "https://shop.example"
CARD = {"number": "4111 1111 1111 1111", "expiry": "12/39", "cvv": "123", "name": "Asha Rao"}


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _one(tag: Tag | None) -> Tag:
    assert tag is not None
    return tag


def _iframe_url(api, merchant_order_id: str) -> str:
    return api.pay_page_url(merchant_order_id) + "&mode=iframe"


def _submit(api, merchant_order_id: str, method: str, **fields: str):
    return api.client.post(_iframe_url(api, merchant_order_id), {"method": method, **fields})


def _frame_data(response) -> dict[str, str]:
    """What frame.js reads: the data attributes of #phonepe-sandbox-frame."""
    frame = _one(_soup(response).find(id="phonepe-sandbox-frame"))
    return {str(key): str(value) for key, value in frame.attrs.items() if key.startswith("data-")}


def _csp(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


# --- checkout.js -------------------------------------------------------------------------------


def test_checkout_js_defines_phonepe_checkout(api):
    # when the merchant's page loads the script
    response = api.client.get("/sandbox/checkout.js")

    # then it is JavaScript, cacheable for a few minutes, with PhonePe's API
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=300"}
    script = response.content.decode()
    assert "window.PhonePeCheckout = { transact: transact, closePage: closePage };" in script
    for name in ("function transact(options)", "function closePage()", '"IFRAME"'):
        assert name in script
    assert 'searchParams.set("mode", IFRAME_MODE)' in script
    assert 'var IFRAME_MODE = "iframe";' in script
    # nothing a strict CSP would block, and no template left over
    for forbidden in ("eval(", "new Function", 'setAttribute("style"', "<style", "{{", "{%"):
        assert forbidden not in script


def test_checkout_js_styles_the_overlay_from_a_same_origin_stylesheet(api):
    script = api.client.get("/sandbox/checkout.js").content.decode()

    assert 'var STYLESHEET_URL = "http://testserver/static/sandbox/checkout.css";' in script
    assert finders.find("sandbox/checkout.css") is not None
    assert finders.find("sandbox/frame.js") is not None


def test_checkout_js_answers_get_and_head_only(api):
    assert api.client.head("/sandbox/checkout.js").status_code == 200
    assert api.client.post("/sandbox/checkout.js").status_code == 405


# --- the pay page in iframe mode ---------------------------------------------------------------


def test_iframe_mode_keeps_the_mode_in_tabs_and_forms(api):
    merchant_order_id = api.create_order()

    response = api.client.get(_iframe_url(api, merchant_order_id))

    assert response.status_code == 200
    soup = _soup(response)
    links = [urlsplit(str(a["href"])) for a in soup.select("nav.tabs a")]
    assert len(links) == 4
    assert all(parse_qs(link.query)["mode"] == ["iframe"] for link in links)
    actions = [urlsplit(str(form["action"])) for form in soup.find_all("form")]
    assert len(actions) == 2  # the payment form and the cancel form
    assert all(parse_qs(action.query)["mode"] == ["iframe"] for action in actions)
    # the page can ask the overlay to close (Escape), but reports no status yet
    assert _frame_data(response) == {
        "data-merchant-origin": MERCHANT,
        "data-merchant-order-id": merchant_order_id,
    }
    assert soup.find("script", src="/static/sandbox/frame.js") is not None


def test_redirect_mode_has_no_frame_script(api):
    merchant_order_id = api.create_order()

    soup = _soup(api.client.get(api.pay_page_url(merchant_order_id)))

    assert soup.find(id="phonepe-sandbox-frame") is None
    assert soup.find("script") is None
    assert all("mode=" not in str(a["href"]) for a in soup.select("nav.tabs a"))


def test_a_tab_in_iframe_mode_stays_in_iframe_mode(api):
    merchant_order_id = api.create_order()

    response = api.client.get(_iframe_url(api, merchant_order_id) + "&method=card")

    form = _one(_soup(response).find("input", attrs={"name": "method", "value": "card"}))
    action = urlsplit(str(_one(form.find_parent("form"))["action"]))
    assert parse_qs(action.query)["mode"] == ["iframe"]


@pytest.mark.parametrize(
    ("vpa", "state", "heading"),
    [
        ("success@ybl", "COMPLETED", "Payment successful"),
        ("failure@ybl", "FAILED", "Payment failed"),
        ("pending@ybl", "PENDING", "Payment submitted"),
    ],
)
def test_paying_in_iframe_mode_ends_on_the_done_page(api, vpa, state, heading):
    # given an order paid inside the merchant's iframe
    merchant_order_id = api.create_order()

    # when the payer submits
    response = _submit(api, merchant_order_id, "upi", vpa=vpa)

    # then no redirect: a page that tells the merchant's page the flow is over
    assert response.status_code == 200
    assert _frame_data(response) == {
        "data-merchant-origin": MERCHANT,
        "data-merchant-order-id": merchant_order_id,
        "data-status": "CONCLUDED",
    }
    soup = _soup(response)
    assert _one(soup.find("h1")).get_text(strip=True) == heading
    assert "You can close this window" in soup.get_text()
    back = _one(soup.find("a", string=lambda s: bool(s) and "Return to" in str(s)))
    assert (back["href"], back["target"]) == (f"{MERCHANT}/return/{merchant_order_id}", "_top")
    # and the order changed exactly as in redirect mode
    assert api.status_body(merchant_order_id)["state"] == state


def test_card_payment_in_iframe_mode_concludes_too(api):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "card", **CARD)

    assert response.status_code == 200
    assert _frame_data(response)["data-status"] == "CONCLUDED"
    assert api.status_body(merchant_order_id)["state"] == "COMPLETED"


def test_cancel_in_iframe_mode_reports_user_cancel(api):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "cancel")

    assert response.status_code == 200
    assert _frame_data(response)["data-status"] == "USER_CANCEL"
    assert _one(_soup(response).find("h1")).get_text(strip=True) == "Payment cancelled"
    body = api.status_body(merchant_order_id)
    assert (body["state"], body["detailedErrorCode"]) == ("FAILED", "USER_CANCEL")


def test_a_form_error_in_iframe_mode_stays_on_the_page(api):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "upi", vpa="someone@okaxis")

    assert response.status_code == 200
    assert "data-status" not in _frame_data(response)
    action = urlsplit(str(_one(_soup(response).find("form"))["action"]))
    assert parse_qs(action.query)["mode"] == ["iframe"]
    assert api.status_body(merchant_order_id)["state"] == "PENDING"


def test_closed_order_in_iframe_mode_links_back_at_the_top(api):
    merchant_order_id = api.paid_order()

    response = api.client.get(_iframe_url(api, merchant_order_id))

    assert "already paid" in _soup(response).get_text()
    back = _one(_soup(response).find("a", string=lambda s: bool(s) and "Return to" in str(s)))
    assert back["target"] == "_top"
    assert "data-status" not in _frame_data(response)


def test_merchant_origin_comes_from_the_redirect_url(api):
    merchant_order_id = api.create_order(
        paymentFlow={
            "type": "PG_CHECKOUT",
            "merchantUrls": {"redirectUrl": "http://LocalHost:8123/orders/abc/return/"},
        }
    )

    response = _submit(api, merchant_order_id, "upi", vpa="success@ybl")

    assert _frame_data(response)["data-merchant-origin"] == "http://localhost:8123"
    assert _csp(response)["frame-ancestors"] == ["http://localhost:8123"]


def test_before_return_delivers_the_webhook_before_the_done_page(api, hooks):
    merchant_order_id = api.create_order()
    rule = {"webhook": {"mode": "before_return"}}
    control = f"/sandbox/pg/_control/orders/{merchant_order_id}/chaos"
    assert api.post_json(control, rule, {}).status_code == 200

    with hooks.capture():
        response = _submit(api, merchant_order_id, "upi", vpa="success@ybl")
        seen_at_done_page = list(hooks.receiver.requests)

    assert response.status_code == 200
    assert _frame_data(response)["data-status"] == "CONCLUDED"
    assert [request.json()["event"] for request in seen_at_done_page] == [
        "checkout.order.completed"
    ]
    assert hooks.queued == []
    assert SandboxWebhook.objects.get().state == "DELIVERED"


# --- framing headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["", "&mode=iframe"])
def test_only_the_orders_merchant_may_frame_the_pay_page(api, mode):
    merchant_order_id = api.create_order()

    response = api.client.get(api.pay_page_url(merchant_order_id) + mode)

    assert "X-Frame-Options" not in response
    policy = _csp(response)
    assert policy["frame-ancestors"] == [MERCHANT]
    # strict otherwise: the sandbox pages need nothing inline
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    # redirect mode ends in a 302 to the merchant, which form-action governs too
    assert policy["form-action"] == ["'self'", MERCHANT]


@pytest.mark.parametrize(("method", "fields"), [("upi", {"vpa": "success@ybl"}), ("cancel", {})])
def test_the_done_page_is_framable_by_the_merchant(api, method, fields):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, method, **fields)

    assert "X-Frame-Options" not in response
    assert _csp(response)["frame-ancestors"] == [MERCHANT]


def test_unknown_token_page_may_be_framed_by_this_host_only(api):
    response = api.client.get("/sandbox/pay/?token=nope&mode=iframe")

    assert response.status_code == 404
    assert _csp(response)["frame-ancestors"] == ["'self'"]


@pytest.mark.parametrize("path", ["/sandbox/", "/sandbox/instruments/", "/sandbox/settlements/"])
def test_other_sandbox_pages_may_not_be_framed(api, path):
    response = api.client.get(path)

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert MERCHANT not in response.get("Content-Security-Policy", "")


@pytest.mark.parametrize(
    ("redirect_url", "origin"),
    [
        ("https://shop.example/return/1", "https://shop.example"),
        ("https://Shop.Example:443/return/1?x=1#y", "https://shop.example"),
        ("http://127.0.0.1:8000/orders/t/return/", "http://127.0.0.1:8000"),
        ("http://localhost:80/r", "http://localhost"),
        ("https://user:pw@shop.example:8443/r", "https://shop.example:8443"),
        ("http://[::1]:8000/r", "http://[::1]:8000"),
        ("ftp://shop.example/r", None),
        ("https:///r", None),
        ("https://shop.example:99999/r", None),
        ("https://bad;host/r", None),
    ],
)
def test_merchant_origin(redirect_url, origin):
    assert merchant_origin(redirect_url) == origin
