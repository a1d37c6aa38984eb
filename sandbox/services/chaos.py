"""Chaos: the sandbox misbehaving on purpose (webhook modes, API errors, slow answers, refunds
that fail).

A rule is a camelCase dict (see `parse_rule`). Three layers make the effective rule of an order,
each overlaying the one before key by key: SANDBOX_CHAOS (settings), the global runtime rule
(control API, stored in the `SandboxChaos` row), and the order's own rule (`SandboxOrder.chaos`).
`errorStatus` and `errorTimes` always come together from one layer, which owns the countdown;
so do the `refund` section's `failTimes`, `errorCode` and `detailedErrorCode`.

Guarantees:
- A rule is validated strictly before it is stored; nothing invalid is ever stored.
- An injected error countdown of N gives exactly N errors (a `failTimes` of N, N failed
  refunds), however many calls race for them: the counter row is decremented under its lock.
- Changing a layer's rule through the control API re-arms that scope's counters.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from sandbox import conf
from sandbox.constants import ErrorInfo, error_info
from sandbox.exceptions import BadRequest, SandboxError
from sandbox.models import SandboxChaos, SandboxFaultCounter, SandboxOrder
from sandbox.validation import ERROR_CODE_RE

Api = Literal["pay", "status", "token"]
API_SECTIONS: tuple[Api, ...] = ("pay", "status", "token")
REFUND = "refund"
# The codes a failed refund reports unless the rule names others (as the control API's fail).
REFUND_ERROR_CODE = "UPI_BACKBONE_ERROR"
REFUND_DETAILED_ERROR_CODE = "TXN_FAILED"
SECTIONS = ("webhook", *API_SECTIONS, REFUND)
# The key whose presence in a layer makes that layer own the section's countdown.
_COUNTDOWN_KEY = {REFUND: "failTimes"}
WEBHOOK_MODES = ("normal", "drop", "duplicate", "reorder", "before_return")
ERROR_STATUSES = {
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "INTERNAL_SERVER_ERROR",
}
MAX_DELAY_SECONDS = 3600
MAX_SLOW_SECONDS = 120
MAX_DUPLICATES = 20
MAX_ERROR_TIMES = 1000
DEFAULT_DUPLICATES = 2
GLOBAL_SCOPE = "global"
_TOP = "the chaos rule"
_SINGLETON_PK = 1


class InjectedFault(SandboxError):
    """An error answer a chaos rule asked for (never raised for bad credentials)."""

    def __init__(self, status: int) -> None:
        super().__init__(
            f"Sandbox chaos: injected HTTP {status}; retry later.", code=ERROR_STATUSES[status]
        )
        self.status = status


# --- Validation -----------------------------------------------------------------------------


def _number(value: Any, where: str, *, maximum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"{where} must be a number of seconds.")
    if not 0 <= value <= maximum:
        raise BadRequest(f"{where} must be between 0 and {maximum} seconds.")
    return value


def _integer(value: Any, where: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{where} must be an integer.")
    if not minimum <= value <= maximum:
        raise BadRequest(f"{where} must be between {minimum} and {maximum}.")
    return value


def _object(value: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be an object.")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        name = unknown[0] if where == _TOP else f"{where}.{unknown[0]}"
        raise BadRequest(f"{name} is not a known key (allowed: {', '.join(allowed)}).")
    return value


def _webhook_section(value: Any) -> dict[str, Any]:
    data = _object(value, "webhook", ("mode", "times", "delaySeconds"))
    section: dict[str, Any] = {}
    if "mode" in data:
        if data["mode"] not in WEBHOOK_MODES:
            raise BadRequest(f"webhook.mode must be one of {', '.join(WEBHOOK_MODES)}.")
        section["mode"] = data["mode"]
    if "times" in data:
        section["times"] = _integer(
            data["times"], "webhook.times", minimum=1, maximum=MAX_DUPLICATES
        )
    if "delaySeconds" in data:
        section["delaySeconds"] = _number(
            data["delaySeconds"], "webhook.delaySeconds", maximum=MAX_DELAY_SECONDS
        )
    return section


def _api_section(name: str, value: Any) -> dict[str, Any]:
    data = _object(value, name, ("errorStatus", "errorTimes", "slowSeconds"))
    section: dict[str, Any] = {}
    if "errorStatus" in data:
        if data["errorStatus"] not in ERROR_STATUSES or isinstance(data["errorStatus"], bool):
            raise BadRequest(f"{name}.errorStatus must be one of 429, 500, 503.")
        section["errorStatus"] = data["errorStatus"]
        # Stored explicitly so the pair always overlays together.
        section["errorTimes"] = _integer(
            data.get("errorTimes", 1), f"{name}.errorTimes", minimum=0, maximum=MAX_ERROR_TIMES
        )
    elif "errorTimes" in data:
        raise BadRequest(f"{name}.errorTimes needs {name}.errorStatus.")
    if "slowSeconds" in data:
        section["slowSeconds"] = _number(
            data["slowSeconds"], f"{name}.slowSeconds", maximum=MAX_SLOW_SECONDS
        )
    return section


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not ERROR_CODE_RE.match(value):
        raise BadRequest(f"{where} must be 1-64 characters of A-Z, 0-9 and _.")
    return value


def _refund_section(value: Any) -> dict[str, Any]:
    """{"failTimes": N, "errorCode", "detailedErrorCode"}: the next N accepted refunds fail.

    Any one key arms the section; the others get their defaults (failTimes 1, errorCode
    UPI_BACKBONE_ERROR, detailedErrorCode TXN_FAILED) and are stored explicitly, so the three
    always overlay together.
    """
    data = _object(value, REFUND, ("failTimes", "errorCode", "detailedErrorCode"))
    if not data:
        return {}
    return {
        "failTimes": _integer(
            data.get("failTimes", 1), "refund.failTimes", minimum=0, maximum=MAX_ERROR_TIMES
        ),
        "errorCode": _code(data.get("errorCode", REFUND_ERROR_CODE), "refund.errorCode"),
        "detailedErrorCode": _code(
            data.get("detailedErrorCode", REFUND_DETAILED_ERROR_CODE), "refund.detailedErrorCode"
        ),
    }


def parse_rule(data: Any) -> dict[str, Any]:
    """Validate a rule and return it normalised; `BadRequest` names the first bad key."""
    rule = _object(data, _TOP, SECTIONS)
    parsed: dict[str, Any] = {}
    for name, value in rule.items():
        if name == "webhook":
            parsed[name] = _webhook_section(value)
        elif name == REFUND:
            parsed[name] = _refund_section(value)
        else:
            parsed[name] = _api_section(name, value)
    return parsed


def settings_rule() -> dict[str, Any]:
    """SANDBOX_CHAOS, validated; a bad value is a configuration error (see sandbox.checks)."""
    try:
        return parse_rule(conf.chaos_setting())
    except BadRequest as error:
        raise ImproperlyConfigured(f"SANDBOX_CHAOS is invalid: {error.message}") from error


# --- Layers and effective rules --------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    name: str  # settings, global, order
    scope: str  # counter scope
    rule: dict[str, Any]


def runtime_rule() -> dict[str, Any]:
    rule = SandboxChaos.objects.filter(pk=_SINGLETON_PK).values_list("rule", flat=True).first()
    return dict(rule or {})


def _order_scope(order: SandboxOrder) -> str:
    return f"order:{order.pk}"


def _layers(order: SandboxOrder | None) -> list[Layer]:
    layers = [
        Layer("settings", GLOBAL_SCOPE, settings_rule()),
        Layer("global", GLOBAL_SCOPE, runtime_rule()),
    ]
    if order is not None and order.chaos:
        layers.append(Layer("order", _order_scope(order), order.chaos))
    return layers


def _merge(layers: list[Layer]) -> tuple[dict[str, dict[str, Any]], dict[str, Layer]]:
    merged: dict[str, dict[str, Any]] = {}
    error_owner: dict[str, Layer] = {}
    for layer in layers:
        for section, values in layer.rule.items():
            merged.setdefault(section, {}).update(values)
            if _COUNTDOWN_KEY.get(section, "errorStatus") in values:
                error_owner[section] = layer
    return {name: values for name, values in merged.items() if values}, error_owner


def effective_rule(order: SandboxOrder | None = None) -> dict[str, Any]:
    """The rule in force for `order` (or for calls about no order), layers overlaid."""
    merged, _owners = _merge(_layers(order))
    return merged


@dataclass(frozen=True)
class WebhookPlan:
    mode: str
    times: int
    delay_seconds: float


def webhook_plan(order: SandboxOrder | None) -> WebhookPlan:
    section = effective_rule(order).get("webhook", {})
    return WebhookPlan(
        mode=section.get("mode", "normal"),
        times=section.get("times", DEFAULT_DUPLICATES),
        delay_seconds=float(section.get("delaySeconds", 0)),
    )


# --- API faults ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiFault:
    error: InjectedFault | None
    slow_seconds: float


def _take_one(*, scope: str, api: str, fingerprint: str, times: int) -> bool:
    """Consume one error from the counter; arm it first if the rule changed. Row-locked."""
    with transaction.atomic():
        counter, _created = SandboxFaultCounter.objects.select_for_update().get_or_create(
            scope=scope, api=api, defaults={"fingerprint": fingerprint, "remaining": times}
        )
        if counter.fingerprint != fingerprint:
            counter.fingerprint, counter.remaining = fingerprint, times
        if counter.remaining <= 0:
            counter.save()
            return False
        counter.remaining -= 1
        counter.save()
        return True


def api_fault(*, api: Api, order: SandboxOrder | None) -> ApiFault:
    """What chaos does to this call: maybe an error (consumed from its countdown), maybe a sleep.

    With no error rule in force, nothing is written: plain calls stay read-only.
    """
    layers = _layers(order)
    merged, owners = _merge(layers)
    section = merged.get(api, {})
    slow = float(section.get("slowSeconds", 0))
    owner = owners.get(api)
    if owner is None:
        return ApiFault(error=None, slow_seconds=slow)
    own = owner.rule[api]
    status, times = int(own["errorStatus"]), int(own["errorTimes"])
    if times <= 0:
        return ApiFault(error=None, slow_seconds=slow)
    fingerprint = f"{owner.name}:{status}:{times}"
    taken = _take_one(scope=owner.scope, api=api, fingerprint=fingerprint, times=times)
    return ApiFault(error=InjectedFault(status) if taken else None, slow_seconds=slow)


def refund_failure(order: SandboxOrder) -> ErrorInfo | None:
    """The codes the refund being accepted for `order` will fail with, or None if it succeeds.

    Takes one from the `refund.failTimes` countdown of the layer that owns it (the order's own
    rule, else the global runtime rule, else SANDBOX_CHAOS). Call inside the transaction that
    creates the refund, so a refund that is not created gives its failure back.
    """
    owner = _merge(_layers(order))[1].get(REFUND)
    if owner is None:
        return None
    own = owner.rule[REFUND]
    times = int(own["failTimes"])
    if times <= 0:
        return None
    codes = f"{own['errorCode']}/{own['detailedErrorCode']}"
    # Hashed: two 64-character codes would not fit the fingerprint column.
    fingerprint = f"{owner.name}:{times}:{hashlib.sha256(codes.encode()).hexdigest()[:16]}"
    if not _take_one(scope=owner.scope, api=REFUND, fingerprint=fingerprint, times=times):
        return None
    return error_info(error_code=own["errorCode"], detailed_error_code=own["detailedErrorCode"])


# --- Control API -----------------------------------------------------------------------------


def _remaining(scope: str) -> dict[str, int]:
    return dict(SandboxFaultCounter.objects.filter(scope=scope).values_list("api", "remaining"))


def global_describe() -> dict[str, Any]:
    return {
        "rule": effective_rule(None),
        "settingsRule": settings_rule(),
        "runtimeRule": runtime_rule(),
        "errorsLeft": _remaining(GLOBAL_SCOPE),
    }


def global_set(*, rule: dict[str, Any]) -> None:
    """Replace the global runtime rule (validated by `parse_rule`) and re-arm global counters."""
    with transaction.atomic():
        SandboxChaos.objects.update_or_create(pk=_SINGLETON_PK, defaults={"rule": rule})
        SandboxFaultCounter.objects.filter(scope=GLOBAL_SCOPE).delete()


def global_clear() -> None:
    """Drop the runtime rule; SANDBOX_CHAOS still applies (its counters re-armed)."""
    global_set(rule={})


def order_describe(order: SandboxOrder) -> dict[str, Any]:
    return {
        "merchantOrderId": order.merchant_order_id,
        "rule": order.chaos,
        "effective": effective_rule(order),
        "errorsLeft": _remaining(_order_scope(order)),
    }


def order_set(*, order: SandboxOrder, rule: dict[str, Any]) -> SandboxOrder:
    """Replace the order's own rule (validated by `parse_rule`) and re-arm its counters."""
    with transaction.atomic():
        SandboxOrder.objects.filter(pk=order.pk).update(chaos=rule)
        SandboxFaultCounter.objects.filter(scope=_order_scope(order)).delete()
    order.chaos = rule
    return order


def describe_rule(rule: dict[str, Any]) -> str:
    """One line for the console."""
    return json.dumps(rule, sort_keys=True, separators=(", ", ": "))
