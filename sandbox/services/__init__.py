"""Everything that changes sandbox state. Views call these; nothing else writes models."""

from sandbox.services.control import (
    order_backdate,
    order_complete,
    order_expire_now,
    refund_backdate,
)
from sandbox.services.orders import (
    attempt_get,
    order_by_pay_token,
    order_cancel,
    order_create,
    order_get,
    order_pay,
    order_refresh,
)
from sandbox.services.refunds import refund_create, refund_fail, refund_get

__all__ = [
    "attempt_get",
    "order_backdate",
    "order_by_pay_token",
    "order_cancel",
    "order_complete",
    "order_create",
    "order_expire_now",
    "order_get",
    "order_pay",
    "order_refresh",
    "refund_backdate",
    "refund_create",
    "refund_fail",
    "refund_get",
]
