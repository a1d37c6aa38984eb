"""The operator roles: groups kept in step with the code after every `migrate`.

- support: sees orders, payments, refunds, webhook deliveries, products and documents, and may
  re-verify a payment with the gateway;
- finance: everything support has, and may refund.
Cancelling, fulfilling, resending receipts and resolving need `payments.operate_order`, which only
superusers have unless an administrator grants it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

SUPPORT_PERMISSIONS = [
    "payments.view_order", "payments.view_orderline", "payments.view_orderevent",
    "payments.view_payment", "payments.view_paymentevent", "payments.view_refund",
    "payments.view_refundline", "payments.view_webhookevent", "payments.reverify_payment",
    "shop.view_product", "shop.view_stockreservation",
    "invoicing.view_invoice", "invoicing.view_creditnote",
    "backoffice.view_settlementreport", "backoffice.view_settlementline",
]  # fmt: skip
FINANCE_PERMISSIONS = [*SUPPORT_PERMISSIONS, "payments.refund_order"]
ROLES = {"support": SUPPORT_PERMISSIONS, "finance": FINANCE_PERMISSIONS}


def ensure_roles(**kwargs: Any) -> None:
    """Create or update the groups; permissions of apps that are not installed are skipped."""
    for name, dotted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in dotted:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
