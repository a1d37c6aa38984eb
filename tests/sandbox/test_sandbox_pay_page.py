"""The hosted pay page: what a payer sees and what each test instrument does."""

import json
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup, Tag
from django.test import Client
from django.utils import timezone

from sandbox.models import SandboxAttempt, SandboxOrder

pytestmark = pytest.mark.django_db

REDIRECT = "https://shop.example/return/{}"
CARD = {"number": "4111 1111 1111 1111", "expiry": "12/39", "cvv": "123", "name": "Asha Rao"}


def _one(tag: Tag | None) -> Tag:
    assert tag is not None
    return tag


def _page(api, merchant_order_id, method=None):
    url = api.pay_page_url(merchant_order_id)
    if method:
        url += f"&method={method}"
    return api.client.get(url)


def _text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def _submit(api, merchant_order_id, method, **fields):
    return api.client.post(api.pay_page_url(merchant_order_id), {"method": method, **fields})


def _order_and_attempts(api, merchant_order_id):
    body = api.status_body(merchant_order_id, details="true")
    return body, body["paymentDetails"]


def test_redirect_url_opens_the_pay_page(api, settings):
    # given the redirectUrl the merchant got
    redirect_url = api.pay(api.body("ORD-PAGE-1", amount=149900)).json()["redirectUrl"]

    # when the payer's browser opens it
    response = api.client.get(redirect_url)

    # then it shows a real-looking payment page for this order
    assert response.status_code == 200
    text = _text(response)
    assert "Sandbox" in text
    assert f"Paying {settings.SANDBOX_MERCHANT_NAME}" in text
    assert "₹1,499.00" in text
    assert "ORD-PAGE-1" in text
    assert "Time left" in text
    assert "min" in text
    soup = BeautifulSoup(response.content, "html.parser")
    tabs = [a.get_text(strip=True) for a in soup.select("nav.tabs a")]
    assert tabs == ["UPI", "Card", "Net banking", "Wallet"]
    assert _one(soup.select_one("nav.tabs a[aria-current=page]")).get_text(strip=True) == "UPI"
    assert _one(soup.find("label", attrs={"for": "id_vpa"})).get_text(strip=True) == "UPI ID"
    # the test instruments are listed on the page
    for vpa in ("success@ybl", "failure@ybl", "pending@ybl", "slow@ybl"):
        assert vpa in text


def test_page_shows_the_merchant_name_from_settings(api, settings):
    settings.SANDBOX_MERCHANT_NAME = "Test Merchant Pvt Ltd"
    merchant_order_id = api.create_order()

    assert "Test Merchant Pvt Ltd" in _text(_page(api, merchant_order_id))


def test_amount_uses_indian_digit_grouping(api):
    merchant_order_id = api.create_order(amount=1234567801)

    assert "₹1,23,45,678.01" in _text(_page(api, merchant_order_id))


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("card", ["4111 1111 1111 1111", "4000 0000 0000 0002", "4000 0000 0000 0044"]),
        ("netbanking", ["Approve", "Decline", "Leave pending", "HDFC Bank (sandbox)"]),
        ("wallet", ["PhonePe Wallet (sandbox)", "Approve", "Decline", "Leave pending"]),
    ],
)
def test_each_method_tab_lists_its_test_instruments(api, method, expected):
    merchant_order_id = api.create_order()

    text = _text(_page(api, merchant_order_id, method))

    for item in expected:
        assert item in text


@pytest.mark.parametrize(
    ("vpa", "state", "codes"),
    [
        ("success@ybl", "COMPLETED", None),
        ("SUCCESS@ybl ", "COMPLETED", None),
        ("failure@ybl", "FAILED", ("INVALID_MPIN", "ZM")),
        ("pending@ybl", "PENDING", None),
    ],
)
def test_upi_ids_decide_the_outcome(api, vpa, state, codes):
    # given an order
    merchant_order_id = api.create_order(
        paymentFlow={
            "type": "PG_CHECKOUT",
            "merchantUrls": {"redirectUrl": REDIRECT.format("u1")},
        }
    )

    # when the payer pays with a test UPI id
    response = _submit(api, merchant_order_id, "upi", vpa=vpa)

    # then the browser returns to the merchant's redirectUrl, bare
    assert response.status_code == 302
    assert response["Location"] == REDIRECT.format("u1")
    # and the status API tells the merchant what happened
    body, [attempt] = _order_and_attempts(api, merchant_order_id)
    assert body["state"] == state
    assert attempt["paymentMode"] == "UPI_COLLECT"
    if codes:
        assert (body["errorCode"], body["detailedErrorCode"]) == codes
        assert (attempt["errorCode"], attempt["detailedErrorCode"]) == codes


def test_slow_upi_id_is_pending_then_succeeds_later(api):
    # given a payer who paid with slow@ybl
    merchant_order_id = api.create_order()
    _submit(api, merchant_order_id, "upi", vpa="slow@ybl")

    # then it is pending at first
    assert api.status_body(merchant_order_id)["state"] == "PENDING"
    attempt = SandboxAttempt.objects.get(order__merchant_order_id=merchant_order_id)
    assert attempt.settle_at is not None
    assert 15 <= (attempt.settle_at - attempt.created_at).total_seconds() <= 25

    # when its settle time has passed (moved there instead of sleeping 20 s)
    SandboxAttempt.objects.filter(pk=attempt.pk).update(
        settle_at=timezone.now() - timedelta(seconds=1)
    )

    # then the next status read sees it completed
    body = api.status_body(merchant_order_id)
    assert body["state"] == "COMPLETED"
    assert body["paymentDetails"][0]["state"] == "COMPLETED"


def test_unknown_upi_id_shows_an_error_and_changes_nothing(api):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "upi", vpa="someone@okaxis")

    assert response.status_code == 200
    assert "Use one of the test UPI ids listed below" in _text(response)
    soup = BeautifulSoup(response.content, "html.parser")
    assert _one(soup.find("input", attrs={"name": "vpa"}))["aria-invalid"] == "true"
    body, attempts = _order_and_attempts(api, merchant_order_id)
    assert body["state"] == "PENDING"
    assert attempts == []


@pytest.mark.parametrize(
    ("number", "state", "codes"),
    [
        ("4111 1111 1111 1111", "COMPLETED", None),
        ("4111-1111-1111-1111", "COMPLETED", None),
        ("4000 0000 0000 0002", "FAILED", ("INSUFFICIENT_BALANCE", "Z9")),
        ("4000000000000044", "PENDING", None),
    ],
)
def test_test_cards_decide_the_outcome(api, number, state, codes):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "card", **{**CARD, "number": number})

    assert response.status_code == 302
    assert response["Location"] == REDIRECT.format(merchant_order_id)
    body, [attempt] = _order_and_attempts(api, merchant_order_id)
    assert body["state"] == state
    assert attempt["paymentMode"] == "CARD"
    assert attempt["instrument"]["type"] == "CREDIT_CARD"
    if codes:
        assert (body["errorCode"], body["detailedErrorCode"]) == codes


def test_card_number_and_cvv_are_never_stored(api):
    merchant_order_id = api.create_order()

    _submit(api, merchant_order_id, "card", **{**CARD, "cvv": "987"})

    attempt = SandboxAttempt.objects.get(order__merchant_order_id=merchant_order_id)
    stored = json.dumps(
        [attempt.instrument, attempt.rail, attempt.payer_details, attempt.split_instruments]
    )
    assert "4111111111111111" not in stored

    def values(node: object) -> list[object]:
        if isinstance(node, dict):
            return [v for key, value in node.items() for v in [key, *values(value)]]
        if isinstance(node, list):
            return [v for item in node for v in values(item)]
        return [node]

    stored_values = values(
        [attempt.instrument, attempt.rail, attempt.payer_details, attempt.split_instruments]
    )
    # Random ids may contain "987" by chance; no stored field may hold the CVV itself.
    assert "987" not in stored_values
    assert not any("cvv" in str(v).lower() for v in stored_values)
    assert attempt.payer_details == {"brand": "VISA", "last4": "1111", "cardType": "CREDIT_CARD"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"number": "5555 5555 5555 4444"}, "number", "Use one of the test card numbers"),
        ({"number": "4111 abcd"}, "number", "digits only"),
        ({"expiry": "01/20"}, "expiry", "expired"),
        ({"expiry": "13/30"}, "expiry", "MM/YY"),
        ({"cvv": "12"}, "cvv", "3-digit CVV"),
        ({"cvv": "abc"}, "cvv", "3-digit CVV"),
        ({"name": ""}, "name", "required"),
        ({"name": "   "}, "name", "required"),
    ],
)
def test_card_errors_show_next_to_their_field_and_change_nothing(api, change, field, message):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "card", **{**CARD, **change})

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    errors = soup.find(id=f"id_{field}_error")
    assert errors is not None
    assert message in errors.get_text()
    assert _one(soup.find(id=f"id_{field}"))["aria-describedby"] == f"id_{field}_error"
    # the CVV is never echoed back into the page
    assert _one(soup.find(id="id_cvv")).get("value") is None
    assert _order_and_attempts(api, merchant_order_id)[1] == []


def test_current_month_expiry_is_still_valid(api):
    merchant_order_id = api.create_order()
    today = timezone.localdate()

    response = _submit(
        api, merchant_order_id, "card", **{**CARD, "expiry": today.strftime("%m/%y")}
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("outcome", "state", "codes"),
    [
        ("approve", "COMPLETED", None),
        ("decline", "FAILED", ("BANK_TECHNICAL_ISSUE", "U90")),
        ("pending", "PENDING", None),
    ],
)
def test_net_banking_outcome_select(api, outcome, state, codes):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "netbanking", bank="ICIC", outcome=outcome)

    assert response.status_code == 302
    body, [attempt] = _order_and_attempts(api, merchant_order_id)
    assert body["state"] == state
    assert attempt["paymentMode"] == "NET_BANKING"
    assert attempt["instrument"]["type"] == "NET_BANKING"
    assert attempt["instrument"]["bankId"] == "ICIC"
    assert attempt["rail"]["type"] == "PG"
    if codes:
        assert (body["errorCode"], body["detailedErrorCode"]) == codes


def test_net_banking_needs_a_known_bank(api):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "netbanking", bank="FAKE", outcome="approve")

    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)
    assert _order_and_attempts(api, merchant_order_id)[1] == []


@pytest.mark.parametrize(
    ("outcome", "state"), [("approve", "COMPLETED"), ("decline", "FAILED"), ("pending", "PENDING")]
)
def test_wallet_outcome_select_reports_ppe_intent(api, outcome, state):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "wallet", outcome=outcome)

    assert response.status_code == 302
    body, [attempt] = _order_and_attempts(api, merchant_order_id)
    assert body["state"] == state
    assert attempt["paymentMode"] == "PPE_INTENT"
    assert attempt["instrument"]["type"] == "WALLET"
    assert attempt["rail"] == {"type": "PPI_WALLET"}


def test_cancel_fails_the_order_and_returns_to_the_merchant(api):
    merchant_order_id = api.create_order()

    response = _submit(api, merchant_order_id, "cancel")

    assert response.status_code == 302
    assert response["Location"] == REDIRECT.format(merchant_order_id)
    body = api.status_body(merchant_order_id)
    assert (body["state"], body["errorCode"], body["detailedErrorCode"]) == (
        "FAILED",
        "PAYMENT_CANCELLED",
        "USER_CANCEL",
    )


def test_pending_attempt_leaves_the_page_payable_with_a_notice(api):
    merchant_order_id = api.create_order()
    _submit(api, merchant_order_id, "upi", vpa="pending@ybl")

    response = _page(api, merchant_order_id)

    assert "still waiting for confirmation" in _text(response)
    assert _submit(api, merchant_order_id, "upi", vpa="success@ybl").status_code == 302
    body, attempts = _order_and_attempts(api, merchant_order_id)
    assert body["state"] == "COMPLETED"
    assert [a["state"] for a in attempts] == ["FAILED", "COMPLETED"]


def test_paid_order_page_says_already_paid(api):
    merchant_order_id = api.paid_order()

    response = _page(api, merchant_order_id)

    assert response.status_code == 200
    text = _text(response)
    assert "already paid" in text
    soup = BeautifulSoup(response.content, "html.parser")
    back = _one(soup.find("a", string=lambda s: bool(s) and "Return to" in str(s)))
    assert back["href"] == REDIRECT.format(merchant_order_id)


def test_paying_a_paid_order_changes_nothing(api):
    merchant_order_id = api.paid_order()

    response = _submit(api, merchant_order_id, "upi", vpa="failure@ybl")

    assert response.status_code == 200
    assert "already paid" in _text(response)
    assert len(_order_and_attempts(api, merchant_order_id)[1]) == 1


def test_expired_order_page_says_the_link_expired(api):
    merchant_order_id = api.create_order()
    SandboxOrder.objects.filter(merchant_order_id=merchant_order_id).update(
        expire_at=timezone.now() - timedelta(seconds=1)
    )

    response = _submit(api, merchant_order_id, "upi", vpa="success@ybl")

    assert response.status_code == 200
    assert "This payment link has expired" in _text(response)
    assert api.status_body(merchant_order_id)["detailedErrorCode"] == "TXN_AUTO_FAILED"


def test_cancelled_order_page_says_so(api):
    merchant_order_id = api.create_order()
    _submit(api, merchant_order_id, "cancel")

    assert "This payment was cancelled" in _text(_page(api, merchant_order_id))


@pytest.mark.parametrize("query", ["", "?token=", "?token=not-a-real-token"])
def test_bad_token_shows_a_404_page(api, query):
    api.create_order()

    response = api.client.get(f"/sandbox/pay/{query}")

    assert response.status_code == 404
    assert "Payment link not found" in _text(response)


def test_pay_page_forms_are_csrf_protected(api):
    merchant_order_id = api.create_order()
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        api.pay_page_url(merchant_order_id), {"method": "upi", "vpa": "success@ybl"}
    )

    assert response.status_code == 403
    assert api.status_body(merchant_order_id)["state"] == "PENDING"


def test_payment_mode_config_limits_the_methods_offered(api):
    # given an order that allows only debit cards
    body = api.body(api.new_order_id())
    body["paymentFlow"]["paymentModeConfig"] = {
        "enabledPaymentModes": [{"type": "CARD", "cardTypes": ["DEBIT_CARD"]}]
    }
    merchant_order_id = body["merchantOrderId"]
    api.pay(body)

    # then only the card tab is offered, a UPI post is refused, and cards report DEBIT_CARD
    soup = BeautifulSoup(_page(api, merchant_order_id).content, "html.parser")
    assert [a.get_text(strip=True) for a in soup.select("nav.tabs a")] == ["Card"]
    refused = _submit(api, merchant_order_id, "upi", vpa="success@ybl")
    assert refused.status_code == 400
    assert _order_and_attempts(api, merchant_order_id)[1] == []
    _submit(api, merchant_order_id, "card", **CARD)
    [attempt] = _order_and_attempts(api, merchant_order_id)[1]
    assert attempt["instrument"]["type"] == "DEBIT_CARD"


def test_disabled_upi_collect_reports_upi_through_another_upi_mode(api):
    body = api.body(api.new_order_id())
    body["paymentFlow"]["paymentModeConfig"] = {
        "disabledPaymentModes": [{"type": "UPI_COLLECT"}, {"type": "NET_BANKING"}]
    }
    merchant_order_id = body["merchantOrderId"]
    api.pay(body)

    soup = BeautifulSoup(_page(api, merchant_order_id).content, "html.parser")
    assert [a.get_text(strip=True) for a in soup.select("nav.tabs a")] == ["UPI", "Card", "Wallet"]
    _submit(api, merchant_order_id, "upi", vpa="success@ybl")
    assert _order_and_attempts(api, merchant_order_id)[1][0]["paymentMode"] == "UPI_INTENT"
