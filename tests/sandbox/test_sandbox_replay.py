"""Webhook replay and inspection through the control API."""

import pytest

from sandbox.models import SandboxWebhook

pytestmark = pytest.mark.django_db


def _resend(api, merchant_order_id, body=None):
    path = f"/sandbox/pg/_control/orders/{merchant_order_id}/webhooks/resend"
    return api.post_json(path, body or {}, {})


def test_resend_replays_the_latest_webhook_as_a_new_delivery(api, hooks):
    # given an order whose completion webhook was delivered
    merchant_order_id = api.create_order()
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    hooks.run_queued()

    # when a test asks for it again
    with hooks.capture():
        response = _resend(api, merchant_order_id)

    # then a new delivery is queued now with the same body, and the merchant gets it twice
    assert response.status_code == 202
    delivery = response.json()
    assert (delivery["event"], delivery["kind"], delivery["state"]) == (
        "checkout.order.completed",
        "RESEND",
        "SCHEDULED",
    )
    assert [(item.webhook_id, item.countdown) for item in hooks.queued] == [(delivery["id"], 0)]
    hooks.run_queued()
    first, second = hooks.receiver.requests
    assert first.body == second.body


def test_resend_can_name_the_event(api, hooks):
    merchant_order_id = api.paid_order()
    api.refund(
        {"merchantRefundId": "RF-R1", "originalMerchantOrderId": merchant_order_id, "amount": 100}
    )
    api.post_json("/sandbox/pg/_control/refunds/RF-R1/fail", {}, {})

    latest = _resend(api, merchant_order_id).json()
    named = _resend(api, merchant_order_id, {"event": "checkout.order.completed"}).json()

    assert latest["event"] == "pg.refund.failed"
    assert latest["merchantRefundId"] == "RF-R1"
    assert named["event"] == "checkout.order.completed"


def test_resend_sends_even_a_dropped_webhook(api, hooks):
    merchant_order_id = api.create_order()
    api.post_json(
        f"/sandbox/pg/_control/orders/{merchant_order_id}/chaos", {"webhook": {"mode": "drop"}}, {}
    )
    api.complete(merchant_order_id, outcome="SUCCESS")

    with hooks.capture():
        _resend(api, merchant_order_id)
    hooks.run_queued()

    assert hooks.receiver.events() == ["checkout.order.completed"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 404, "WEBHOOK_NOT_FOUND"),
        ({"event": "checkout.order.failed"}, 404, "WEBHOOK_NOT_FOUND"),
        ({"event": "order.done"}, 400, "BAD_REQUEST"),
        ({"events": ["x"]}, 400, "BAD_REQUEST"),
    ],
)
def test_resend_errors(api, body, status, code):
    merchant_order_id = api.create_order()

    response = _resend(api, merchant_order_id, body)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert SandboxWebhook.objects.count() == 0


def test_resend_of_an_unknown_order_is_404(api):
    response = _resend(api, "NOPE")

    assert response.status_code == 404
    assert response.json()["code"] == "ORDER_NOT_FOUND"


def test_webhook_list_shows_every_delivery_of_the_order(api, hooks):
    merchant_order_id = api.create_order()
    api.post_json(
        f"/sandbox/pg/_control/orders/{merchant_order_id}/chaos",
        {"webhook": {"mode": "duplicate"}},
        {},
    )
    with hooks.capture():
        api.complete(merchant_order_id, outcome="SUCCESS")
    hooks.run_queued()

    response = api.client.get(f"/sandbox/pg/_control/orders/{merchant_order_id}/webhooks")

    assert response.status_code == 200
    listed = response.json()["webhooks"]
    assert [(item["kind"], item["state"], item["attempts"]) for item in listed] == [
        ("EVENT", "DELIVERED", 1),
        ("COPY", "DELIVERED", 1),
    ]
    assert listed[0]["lastStatusCode"] == 200
    assert listed[0]["body"]["payload"]["merchantOrderId"] == merchant_order_id
    assert isinstance(listed[0]["deliveredAt"], int)
