"""Django admin for the people who run the shop. Registration happens in the submodules."""

from payments.admin import orders, payments, refunds, webhooks

__all__ = ["orders", "payments", "refunds", "webhooks"]
