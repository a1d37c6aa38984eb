"""The sandbox console at /sandbox/ and the test-instrument list."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from sandbox.models import SandboxOrder, SandboxWebhook

pytestmark = pytest.mark.django_db


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _row(response, merchant_order_id):
    for row in _soup(response).select("tbody tr"):
        if merchant_order_id in row.get_text():
            return row
    raise AssertionError(f"{merchant_order_id} is not listed")


def test_console_lists_recent_orders_with_actions_for_pending_ones(api):
    # given one pending and one paid order
    pending = api.create_order(amount=250000)
    paid = api.paid_order()

    # when a human opens the console
    response = api.client.get("/sandbox/")

    # then both are listed; only the pending one can be settled
    assert response.status_code == 200
    pending_row = _row(response, pending)
    assert "₹2,500.00" in pending_row.get_text()
    assert "PENDING" in pending_row.get_text()
    assert [b.get_text(" ", strip=True) for b in pending_row.select("button")] == [
        f"Mark paid {pending}",
        f"Mark failed {pending}",
    ]
    paid_row = _row(response, paid)
    assert "COMPLETED" in paid_row.get_text()
    assert paid_row.select("button") == []
    assert _soup(response).find("a", href="/sandbox/instruments/") is not None


def test_console_shows_expired_orders_as_failed(api):
    merchant_order_id = api.create_order()
    SandboxOrder.objects.filter(merchant_order_id=merchant_order_id).update(
        expire_at=timezone.now() - timedelta(seconds=1)
    )

    row = _row(api.client.get("/sandbox/"), merchant_order_id)

    assert "FAILED" in row.get_text()
    assert "TXN_NOT_COMPLETED" in row.get_text()


@pytest.mark.parametrize(("outcome", "state"), [("SUCCESS", "COMPLETED"), ("FAILURE", "FAILED")])
def test_console_buttons_settle_the_order(api, outcome, state):
    merchant_order_id = api.create_order()

    response = api.client.post(
        f"/sandbox/console/orders/{merchant_order_id}/complete/",
        {"outcome": outcome},
        follow=True,
    )

    assert response.redirect_chain == [("/sandbox/", 302)]
    assert f"Order {merchant_order_id} is now {state}." in response.content.decode()
    assert api.status_body(merchant_order_id)["state"] == state


def test_console_settles_the_pending_attempt_of_a_waiting_payer(api):
    merchant_order_id = api.create_order()
    api.client.post(api.pay_page_url(merchant_order_id), {"method": "upi", "vpa": "pending@ybl"})

    api.client.post(
        f"/sandbox/console/orders/{merchant_order_id}/complete/", {"outcome": "SUCCESS"}
    )

    body = api.status_body(merchant_order_id, details="true")
    assert body["state"] == "COMPLETED"
    assert [(a["paymentMode"], a["state"]) for a in body["paymentDetails"]] == [
        ("UPI_COLLECT", "COMPLETED")
    ]


def test_console_reports_an_order_that_is_already_final(api):
    merchant_order_id = api.paid_order()

    response = api.client.post(
        f"/sandbox/console/orders/{merchant_order_id}/complete/",
        {"outcome": "FAILURE"},
        follow=True,
    )

    assert "already COMPLETED" in response.content.decode()
    assert api.status_body(merchant_order_id)["state"] == "COMPLETED"


def test_console_rejects_an_unknown_outcome(api):
    merchant_order_id = api.create_order()

    response = api.client.post(
        f"/sandbox/console/orders/{merchant_order_id}/complete/",
        {"outcome": "PENDING"},
        follow=True,
    )

    assert "Choose success or failure." in response.content.decode()
    assert api.status_body(merchant_order_id)["paymentDetails"] == []


def test_console_buttons_are_csrf_protected(api):
    merchant_order_id = api.create_order()
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        f"/sandbox/console/orders/{merchant_order_id}/complete/", {"outcome": "SUCCESS"}
    )

    assert response.status_code == 403
    assert api.status_body(merchant_order_id)["state"] == "PENDING"


def test_console_lists_refunds(api):
    merchant_order_id = api.paid_order()
    api.refund(
        {"merchantRefundId": "RF-C-1", "originalMerchantOrderId": merchant_order_id, "amount": 500}
    )

    text = api.client.get("/sandbox/").content.decode()

    assert "RF-C-1" in text
    assert "₹5.00" in text


def test_instrument_page_lists_every_test_instrument(api):
    response = api.client.get("/sandbox/instruments/")

    assert response.status_code == 200
    text = " ".join(_soup(response).get_text(" ").split())
    for item in (
        "success@ybl",
        "failure@ybl",
        "pending@ybl",
        "slow@ybl",
        "4111 1111 1111 1111",
        "4000 0000 0000 0002",
        "4000 0000 0000 0044",
        "BANK_TECHNICAL_ISSUE / U90",
        "PhonePe Wallet (sandbox)",
        "PAYMENT_CANCELLED / USER_CANCEL",
    ):
        assert item in text


def test_operators_can_read_sandbox_orders_in_admin(api, admin_client):
    merchant_order_id = api.paid_order(mode="CARD")
    order = SandboxOrder.objects.get(merchant_order_id=merchant_order_id)

    listing = admin_client.get("/admin/sandbox/sandboxorder/")
    detail = admin_client.get(f"/admin/sandbox/sandboxorder/{order.pk}/change/")

    assert listing.status_code == 200
    assert merchant_order_id in listing.content.decode()
    assert detail.status_code == 200
    # read-mostly: no add button, no save button, and the pay token is not shown
    assert admin_client.get("/admin/sandbox/sandboxorder/add/").status_code == 403
    assert 'name="_save"' not in detail.content.decode()
    assert order.pay_token not in detail.content.decode()


def test_console_lists_recent_webhooks_and_the_chaos_in_force(api, settings):
    settings.SANDBOX_CHAOS = {"webhook": {"delaySeconds": 3}}
    merchant_order_id = api.paid_order()

    response = api.client.get("/sandbox/")

    title = _soup(response).select_one("#webhooks-title")
    assert title is not None
    section = title.find_parent("section")
    assert section is not None
    text = " ".join(section.get_text(" ").split())
    assert "checkout.order.completed" in text
    assert merchant_order_id in text
    assert "SCHEDULED" in text
    assert '"delaySeconds": 3' in text


def test_operators_can_read_webhook_deliveries_in_admin(api, admin_client):
    merchant_order_id = api.paid_order()
    webhook = SandboxWebhook.objects.get()

    listing = admin_client.get("/admin/sandbox/sandboxwebhook/")
    detail = admin_client.get(f"/admin/sandbox/sandboxwebhook/{webhook.pk}/change/")

    assert listing.status_code == 200
    assert merchant_order_id in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
