"""Reading and authenticating PhonePe webhooks (no HTTP, no database)."""

from __future__ import annotations

import hashlib
import json

import pytest

from payments.gateways.base import WebhookAuthError, WebhookMalformed, WebhookUnknownEvent
from payments.gateways.phonepe import PhonePeConfig, PhonePeGateway, parse_webhook
from tests.webhooks import order_webhook

GATEWAY = PhonePeGateway(
    PhonePeConfig(
        base_url="https://pg.example",
        auth_base_url="https://pg.example",
        client_id="c",
        client_version="1",
        client_secret="s",
        webhook_username="hook_user",
        webhook_password="hookPass123",
    )
)
GOOD = hashlib.sha256(b"hook_user:hookPass123").hexdigest()


def test_phonepe_documented_example_hash() -> None:
    assert hashlib.sha256(b"username:password").hexdigest() == (
        "bc842c31a9e54efe320d30d948be61291f3ceee4766e36ab25fa65243cd76e0e"
    )


def test_a_correct_header_yields_the_notice() -> None:
    notice = GATEWAY.verify_webhook(authorization=GOOD, raw_body=order_webhook("M-1"))
    assert (notice.event, notice.kind, notice.state) == (
        "checkout.order.completed",
        "order",
        "COMPLETED",
    )
    assert notice.merchant_order_id == "M-1"
    assert notice.amount_paise == 99800
    assert notice.transaction_id == "OM-TXN-1"


@pytest.mark.parametrize(
    "header",
    ["", "nonsense", hashlib.sha256(b"hook_user:wrong").hexdigest(), f"SHA256 {GOOD}", GOOD[:-1]],
)
def test_wrong_or_missing_credentials_are_refused_before_the_body_is_read(header: str) -> None:
    with pytest.raises(WebhookAuthError):
        GATEWAY.verify_webhook(authorization=header, raw_body=b"not even json")


def test_unconfigured_credentials_refuse_everything() -> None:
    gateway = PhonePeGateway(
        PhonePeConfig(
            base_url="x", auth_base_url="x", client_id="c", client_version="1", client_secret="s"
        )
    )
    with pytest.raises(WebhookAuthError):
        gateway.verify_webhook(authorization=hashlib.sha256(b":").hexdigest(), raw_body=b"{}")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"payload": {}}', "no 'event'"),
        (b'{"event": "checkout.order.completed"}', "no 'payload' object"),
        (
            b'{"event": "checkout.order.completed", "payload": {"state": "COMPLETED"}}',
            "no 'merchantOrderId'",
        ),
        (
            b'{"event": "checkout.order.completed", "payload": {"merchantOrderId": "M"}}',
            "no 'state'",
        ),
        (
            b'{"event": "pg.refund.completed", "payload": {"state": "COMPLETED"}}',
            "no 'merchantRefundId'",
        ),
    ],
)
def test_malformed_bodies_are_named(body: bytes, message: str) -> None:
    with pytest.raises(WebhookMalformed, match=message):
        parse_webhook(body)


def test_unknown_events_are_told_apart_from_malformed_ones() -> None:
    with pytest.raises(WebhookUnknownEvent) as caught:
        parse_webhook(
            json.dumps({"event": "subscription.paused", "payload": {"state": "X"}}).encode()
        )
    assert caught.value.event == "subscription.paused"


def test_refund_events_are_read() -> None:
    body = json.dumps(
        {
            "event": "pg.refund.completed",
            "payload": {
                "merchantRefundId": "R-1",
                "originalMerchantOrderId": "M-1",
                "state": "COMPLETED",
                "amount": 500,
            },
        }
    ).encode()
    notice = parse_webhook(body)
    assert (notice.kind, notice.merchant_refund_id, notice.merchant_order_id) == (
        "refund",
        "R-1",
        "M-1",
    )


def test_duplicates_share_a_key_and_a_new_state_does_not() -> None:
    first = parse_webhook(order_webhook("M-1"))
    again = parse_webhook(order_webhook("M-1", extra_field="ignored"))
    failed = parse_webhook(order_webhook("M-1", event="checkout.order.failed", state="FAILED"))
    other_attempt = parse_webhook(
        order_webhook(
            "M-1",
            event="checkout.transaction.attempt.failed",
            state="PENDING",
            transaction_id="OM-2",
        )
    )
    other_attempt_2 = parse_webhook(
        order_webhook(
            "M-1",
            event="checkout.transaction.attempt.failed",
            state="PENDING",
            transaction_id="OM-3",
        )
    )
    assert first.dedupe_key == again.dedupe_key
    assert (
        len(
            {
                first.dedupe_key,
                failed.dedupe_key,
                other_attempt.dedupe_key,
                other_attempt_2.dedupe_key,
            }
        )
        == 4
    )
