"""The operator's actions on one order, as admin pages: a form (or a confirmation), a service
call, a message, back to the order. Each checks its permission and is recorded on the timeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.module_loading import import_string

from payments.admin.payments import reverify_and_record
from payments.exceptions import PaymentsError
from payments.models import Order, Payment
from payments.money import format_inr
from payments.services.operations import (
    RESOLUTIONS,
    order_cancel,
    order_resolve,
    order_set_fulfilment,
)
from payments.services.receipts import order_send_receipt
from payments.services.refunds import (
    REFUNDABLE_ORDER_STATUSES,
    RefundLineRequest,
    refund_create,
    refundable_paise,
    refunded_quantities,
)
from payments.state import FulfilmentStatus, OrderStatus, PaymentState

PAID_STATES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


@dataclass(frozen=True)
class Action:
    label: str
    permission: str
    applies: Callable[[Order], bool]


def _has_refundable_payment(order: Order) -> bool:
    return order.status in REFUNDABLE_ORDER_STATUSES and any(
        refundable_paise(p) for p in order.payments.filter(state=PaymentState.COMPLETED)
    )


SPECS: dict[str, Action] = {
    "reverify": Action(
        "Re-verify payment", "payments.reverify_payment", lambda o: o.payments.exists()
    ),
    "refund": Action("Refund", "payments.refund_order", _has_refundable_payment),
    "cancel": Action(
        "Cancel order", "payments.operate_order", lambda o: o.status in OrderStatus.payable()
    ),
    "fulfil": Action(
        "Mark fulfilled",
        "payments.operate_order",
        lambda o: o.status in PAID_STATES and o.fulfilment_status == FulfilmentStatus.UNFULFILLED,
    ),
    "ship": Action(
        "Mark shipped",
        "payments.operate_order",
        lambda o: o.status in PAID_STATES and o.fulfilment_status != FulfilmentStatus.SHIPPED,
    ),
    "resend-receipt": Action(
        "Resend receipt", "payments.operate_order", lambda o: o.paid_at is not None
    ),
    "resolve": Action(
        "Resolve", "payments.operate_order", lambda o: o.status == OrderStatus.NEEDS_ATTENTION
    ),
}


def available_actions(request: HttpRequest, order: Order) -> list[dict[str, str]]:
    return [
        {"label": spec.label, "url": _url(name, order)}
        for name, spec in SPECS.items()
        if request.user.has_perm(spec.permission) and spec.applies(order)
    ]


def order_panels(order: Order) -> list[tuple[str, str]]:
    """Extra panels for the order page from other apps (settings.PAYMENTS_ORDER_PANELS: dotted
    paths of callables taking the order and returning (title, html)), so payments imports none."""
    panels = []
    for dotted in getattr(settings, "PAYMENTS_ORDER_PANELS", []):
        panel = import_string(dotted)(order)
        if panel:
            panels.append(panel)
    return panels


def _url(name: str, order: Order) -> str:
    return reverse(f"admin:payments_order_{name.replace('-', '_')}", args=[order.pk])


def _back(order: Order) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:payments_order_change", args=[order.pk]))


# --- forms --------------------------------------------------------------------------------------


class ConfirmForm(forms.Form):
    pass


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ShipForm(forms.Form):
    tracking_reference = forms.CharField(label="Tracking reference", required=False, max_length=100)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(choices=list(RESOLUTIONS.items()), widget=forms.RadioSelect)
    note = forms.CharField(
        label="What was decided and why", widget=forms.Textarea(attrs={"rows": 3})
    )


class PaymentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        refundable = format_inr(refundable_paise(obj))
        return f"{obj.merchant_order_id} ({obj.payment_mode or 'paid'}): {refundable} refundable"


class RefundForm(forms.Form):
    payment = PaymentChoiceField(queryset=Payment.objects.none(), empty_label=None)
    amount_rupees = forms.DecimalField(
        label="Amount (₹)",
        required=False,
        min_value=Decimal("1.00"),
        decimal_places=2,
        max_digits=12,
        help_text="Refund an amount, or choose quantities of the order's lines below.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        payments = order.payments.filter(state=PaymentState.COMPLETED).order_by("-completed_at")
        field = self.fields["payment"]
        if isinstance(field, PaymentChoiceField):
            field.queryset = payments
        already = refunded_quantities(order)
        self.line_fields = []
        for line in order.lines.all():
            left = line.quantity - already.get(line.pk, 0)
            name = f"line_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=(
                    f"{line.product_name} ({format_inr(line.unit_price_paise)} each, "
                    f"{left} refundable)"
                ),
                min_value=0,
                max_value=left,
                initial=0,
                required=False,
            )
            self.line_fields.append((line, name))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = [
            RefundLineRequest(line.pk, data.get(name) or 0)
            for line, name in self.line_fields
            if data.get(name)
        ]
        amount = data.get("amount_rupees")
        if amount is not None and lines:
            raise forms.ValidationError("Refund an amount or order lines, not both.")
        if amount is None and not lines:
            raise forms.ValidationError("Enter an amount or choose at least one unit to refund.")
        data["lines"] = lines
        data["amount_paise"] = (
            int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) if amount else None
        )
        return data


# --- views --------------------------------------------------------------------------------------


def _action_view(
    name: str,
    form_class: Callable[..., forms.Form],
    run: Callable[[HttpRequest, Order, forms.Form], str],
    description: str,
) -> Callable[..., HttpResponse]:
    spec = SPECS[name]

    def view(request: HttpRequest, order_id: int) -> HttpResponse:
        order = get_object_or_404(Order, pk=order_id)
        if not request.user.has_perm(spec.permission):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = form_class(data, **_form_kwargs(form_class, order))
        if request.method == "POST" and form.is_valid():
            try:
                text = run(request, order, form)
            except PaymentsError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, text)
                return _back(order)
        context = {
            **admin.site.each_context(request),
            "title": f"{spec.label}: order {order.number}",
            "order": order,
            "form": form,
            "description": description,
            "submit_label": spec.label,
            "opts": Order._meta,
        }
        return TemplateResponse(request, "admin/payments/order/action.html", context)

    return view


def _form_kwargs(form_class: Callable[..., forms.Form], order: Order) -> dict[str, Any]:
    return {"order": order} if form_class is RefundForm else {}


def _user(request: HttpRequest) -> Any:
    return request.user


def _reverify(request: HttpRequest, order: Order, form: forms.Form) -> str:
    payment = order.payments.order_by("-created_at").first()
    if payment is None:
        raise PaymentsError("This order has no payment to re-verify.")
    return reverify_and_record(request, payment)


def _refund(request: HttpRequest, order: Order, form: forms.Form) -> str:
    data = form.cleaned_data
    refund = refund_create(
        order=order,
        payment=data["payment"],
        reason=data["reason"],
        requested_by=_user(request),
        amount_paise=data["amount_paise"],
        lines=data["lines"] or None,
    )
    return f"Refund {refund.merchant_refund_id} of {format_inr(refund.amount_paise)} requested."


def _cancel(request: HttpRequest, order: Order, form: forms.Form) -> str:
    order_cancel(order=order, actor=_user(request), note=form.cleaned_data.get("note", ""))
    return f"Order {order.number} cancelled; its stock is back on the shelf."


def _fulfil(request: HttpRequest, order: Order, form: forms.Form) -> str:
    order_set_fulfilment(order=order, actor=_user(request), status=FulfilmentStatus.FULFILLED)
    return f"Order {order.number} marked fulfilled."


def _ship(request: HttpRequest, order: Order, form: forms.Form) -> str:
    order_set_fulfilment(
        order=order,
        actor=_user(request),
        status=FulfilmentStatus.SHIPPED,
        tracking_reference=form.cleaned_data.get("tracking_reference", ""),
    )
    return f"Order {order.number} marked shipped."


def _resend(request: HttpRequest, order: Order, form: forms.Form) -> str:
    order_send_receipt(order_id=order.pk, force=True, actor=request.user.get_username())
    return f"Receipt for {order.number} sent again to {order.email}."


def _resolve(request: HttpRequest, order: Order, form: forms.Form) -> str:
    data = form.cleaned_data
    order_resolve(
        order=order, actor=_user(request), resolution=data["resolution"], note=data["note"]
    )
    return f"Order {order.number} resolved."


ACTIONS: dict[str, Callable[..., HttpResponse]] = {
    "reverify": _action_view(
        "reverify", ConfirmForm, _reverify,
        "Ask the gateway's status API about the latest payment now and apply its answer.",
    ),
    "refund": _action_view(
        "refund", RefundForm, _refund,
        "The refund is recorded first, then sent to the gateway by a background task; its "
        "state follows the gateway. The customer is emailed when it completes.",
    ),
    "cancel": _action_view(
        "cancel", NoteForm, _cancel,
        "Cancel this unpaid order and put its reserved stock back on the shelf.",
    ),
    "fulfil": _action_view("fulfil", ConfirmForm, _fulfil, "The order is packed, ready to ship."),
    "ship": _action_view("ship", ShipForm, _ship, "The order has left with the courier."),
    "resend-receipt": _action_view(
        "resend-receipt", ConfirmForm, _resend, "Email the receipt to the customer again."
    ),
    "resolve": _action_view(
        "resolve", ResolveForm, _resolve,
        "Close this case. If the order's stock was released before it was paid, check the "
        "product's stock before fulfilling; refund money separately with Refund.",
    ),
}  # fmt: skip
