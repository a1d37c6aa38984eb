"""Parse and validate request bodies the way PhonePe does (phonepe-v2.md §3, §5).

Every rule failure raises `BadRequest` with a message naming the field. Explicit `null` for an
optional field means the field is absent: the official SDK sends nulls for everything unset.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sandbox.constants import CARD_TYPES, CONFIGURABLE_MODES, Method, Outcome
from sandbox.exceptions import BadRequest

MERCHANT_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
MERCHANT_ID_MAX = 63
MIN_AMOUNT_PAISE = 100
# Far above any real order; keeps the value inside a 64-bit column.
MAX_AMOUNT_PAISE = 10**13
EXPIRE_AFTER_MIN = 300
EXPIRE_AFTER_MAX = 3600
EXPIRE_AFTER_DEFAULT = 1200
UDF_FREE_KEYS = tuple(f"udf{i}" for i in range(1, 11))
UDF_RESTRICTED_KEYS = tuple(f"udf{i}" for i in range(11, 16))
UDF_FREE_MAX = 256
UDF_RESTRICTED_MAX = 50
UDF_RESTRICTED_RE = re.compile(r"^[a-zA-Z0-9_\- @.+]*$")
REDIRECT_URL_MAX = 2048
ERROR_CODE_RE = re.compile(r"^[A-Z0-9_]{1,64}$")


@dataclass(frozen=True)
class PayRequest:
    merchant_order_id: str
    amount_paise: int
    expire_after_seconds: int
    meta_info: dict[str, Any] | None
    redirect_url: str
    message: str
    payment_mode_config: dict[str, Any] | None
    disable_payment_retry: bool
    phone_number: str | None

    def fingerprint(self) -> str:
        return fingerprint(asdict(self))


@dataclass(frozen=True)
class RefundRequest:
    merchant_refund_id: str
    original_merchant_order_id: str
    amount_paise: int

    def fingerprint(self) -> str:
        return fingerprint(asdict(self))


@dataclass(frozen=True)
class CompleteRequest:
    outcome: Outcome
    method: Method | None
    error_code: str | None
    detailed_error_code: str | None
    # Settle SUCCESS even if the order expired (control API only): a bank confirming late.
    ignore_expiry: bool = False


def fingerprint(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Request body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise BadRequest("Request body must be a JSON object.")
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def merchant_id_field(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None or value == "":
        raise BadRequest(f"{key} must not be blank.")
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string.")
    if len(value) > MERCHANT_ID_MAX:
        raise BadRequest(f"{key} must be at most {MERCHANT_ID_MAX} characters.")
    if not MERCHANT_ID_RE.match(value):
        raise BadRequest(f"{key} may contain only letters, digits, '_' and '-'.")
    return value


def amount_field(data: dict[str, Any], key: str = "amount") -> int:
    value = data.get(key)
    if value is None:
        raise BadRequest(f"{key} must not be null.")
    if not _is_int(value):
        raise BadRequest(f"{key} must be an integer number of paise.")
    if value < MIN_AMOUNT_PAISE:
        raise BadRequest(f"{key} must be at least {MIN_AMOUNT_PAISE} paise.")
    if value > MAX_AMOUNT_PAISE:
        raise BadRequest(f"{key} must be at most {MAX_AMOUNT_PAISE} paise.")
    return int(value)


def _expire_after(value: Any) -> int:
    if value is None:
        return EXPIRE_AFTER_DEFAULT
    if not _is_int(value):
        raise BadRequest("expireAfter must be an integer number of seconds.")
    if not EXPIRE_AFTER_MIN <= value <= EXPIRE_AFTER_MAX:
        raise BadRequest(
            f"expireAfter must be between {EXPIRE_AFTER_MIN} and {EXPIRE_AFTER_MAX} seconds."
        )
    return int(value)


def _meta_info(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest("metaInfo must be an object.")
    for key, item in value.items():
        if key not in UDF_FREE_KEYS and key not in UDF_RESTRICTED_KEYS:
            raise BadRequest(f"metaInfo.{key} is not a known field (use udf1 to udf15).")
        if item is None:
            continue
        if not isinstance(item, str):
            raise BadRequest(f"metaInfo.{key} must be a string.")
        if key in UDF_FREE_KEYS and len(item) > UDF_FREE_MAX:
            raise BadRequest(f"metaInfo.{key} must be at most {UDF_FREE_MAX} characters.")
        if key in UDF_RESTRICTED_KEYS:
            if len(item) > UDF_RESTRICTED_MAX:
                raise BadRequest(f"metaInfo.{key} must be at most {UDF_RESTRICTED_MAX} characters.")
            if not UDF_RESTRICTED_RE.match(item):
                raise BadRequest(
                    f"metaInfo.{key} may contain only letters, digits, spaces and _ - @ . +"
                )
    # Kept as sent (including explicit nulls): the status API echoes it exactly.
    return dict(value)


def _redirect_url(merchant_urls: Any) -> str:
    if merchant_urls is None:
        raise BadRequest("paymentFlow.merchantUrls.redirectUrl must not be blank.")
    if not isinstance(merchant_urls, dict):
        raise BadRequest("paymentFlow.merchantUrls must be an object.")
    value = merchant_urls.get("redirectUrl")
    if value is None or value == "":
        raise BadRequest("paymentFlow.merchantUrls.redirectUrl must not be blank.")
    if not isinstance(value, str):
        raise BadRequest("paymentFlow.merchantUrls.redirectUrl must be a string.")
    parts = urlsplit(value)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or len(value) > REDIRECT_URL_MAX
        or any(ch.isspace() for ch in value)
    ):
        raise BadRequest("paymentFlow.merchantUrls.redirectUrl must be an http(s) URL.")
    return value


def _mode_list(value: Any, key: str) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise BadRequest(f"paymentModeConfig.{key} must be a list.")
    modes: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest(f"paymentModeConfig.{key} items must be objects.")
        mode_type = item.get("type")
        if not isinstance(mode_type, str) or mode_type not in CONFIGURABLE_MODES:
            allowed = ", ".join(sorted(CONFIGURABLE_MODES))
            raise BadRequest(f"paymentModeConfig.{key}: type must be one of {allowed}.")
        mode: dict[str, Any] = {"type": mode_type}
        card_types = item.get("cardTypes")
        if card_types is not None:
            if mode_type != "CARD":
                raise BadRequest(f"paymentModeConfig.{key}: cardTypes is only allowed for CARD.")
            if not isinstance(card_types, list) or not all(
                isinstance(card_type, str) and card_type in CARD_TYPES for card_type in card_types
            ):
                raise BadRequest(
                    f"paymentModeConfig.{key}: cardTypes must be a list of DEBIT_CARD, CREDIT_CARD."
                )
            mode["cardTypes"] = sorted(set(card_types))
        modes.append(mode)
    return modes


def _payment_mode_config(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest("paymentFlow.paymentModeConfig must be an object.")
    enabled = _mode_list(value.get("enabledPaymentModes"), "enabledPaymentModes")
    disabled = _mode_list(value.get("disabledPaymentModes"), "disabledPaymentModes")
    if enabled is not None and disabled is not None:
        raise BadRequest(
            "paymentModeConfig accepts enabledPaymentModes or disabledPaymentModes, not both."
        )
    if enabled is not None and not enabled:
        raise BadRequest("paymentModeConfig.enabledPaymentModes must not be empty.")
    if enabled is None and disabled is None:
        return None
    if enabled is not None:
        return {"enabledPaymentModes": enabled}
    return {"disabledPaymentModes": disabled}


def parse_pay_request(data: dict[str, Any]) -> PayRequest:
    merchant_order_id = merchant_id_field(data, "merchantOrderId")
    amount_paise = amount_field(data)
    expire_after_seconds = _expire_after(data.get("expireAfter"))
    meta_info = _meta_info(data.get("metaInfo"))

    flow = data.get("paymentFlow")
    if flow is None:
        raise BadRequest("paymentFlow must not be null.")
    if not isinstance(flow, dict):
        raise BadRequest("paymentFlow must be an object.")
    if flow.get("type") != "PG_CHECKOUT":
        raise BadRequest("paymentFlow.type must be PG_CHECKOUT.")
    message = flow.get("message")
    if message is not None and not isinstance(message, str):
        raise BadRequest("paymentFlow.message must be a string.")
    redirect_url = _redirect_url(flow.get("merchantUrls"))
    payment_mode_config = _payment_mode_config(flow.get("paymentModeConfig"))

    disable_retry = data.get("disablePaymentRetry")
    if disable_retry is not None and not isinstance(disable_retry, bool):
        raise BadRequest("disablePaymentRetry must be a boolean.")

    prefill = data.get("prefillUserLoginDetails")
    phone_number = None
    if prefill is not None:
        if not isinstance(prefill, dict):
            raise BadRequest("prefillUserLoginDetails must be an object.")
        phone_number = prefill.get("phoneNumber")
        if phone_number is not None and not isinstance(phone_number, str):
            raise BadRequest("prefillUserLoginDetails.phoneNumber must be a string.")

    return PayRequest(
        merchant_order_id=merchant_order_id,
        amount_paise=amount_paise,
        expire_after_seconds=expire_after_seconds,
        meta_info=meta_info,
        redirect_url=redirect_url,
        message=message or "",
        payment_mode_config=payment_mode_config,
        disable_payment_retry=bool(disable_retry),
        phone_number=phone_number,
    )


def parse_refund_request(data: dict[str, Any]) -> RefundRequest:
    return RefundRequest(
        merchant_refund_id=merchant_id_field(data, "merchantRefundId"),
        original_merchant_order_id=merchant_id_field(data, "originalMerchantOrderId"),
        amount_paise=amount_field(data),
    )


def _error_code_field(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not ERROR_CODE_RE.match(value):
        raise BadRequest(f"{key} must be 1-64 characters of A-Z, 0-9 and _.")
    return value


def parse_complete_request(data: dict[str, Any]) -> CompleteRequest:
    outcome = data.get("outcome")
    if not isinstance(outcome, str) or outcome not in Outcome.__members__:
        raise BadRequest("outcome must be one of SUCCESS, FAILURE, PENDING.")
    mode = data.get("paymentMode")
    if mode is not None and (not isinstance(mode, str) or mode not in Method.__members__):
        allowed = ", ".join(Method)
        raise BadRequest(f"paymentMode must be one of {allowed}.")
    error_code = _error_code_field(data, "errorCode")
    detailed_error_code = _error_code_field(data, "detailedErrorCode")
    if outcome != Outcome.FAILURE and (error_code or detailed_error_code):
        raise BadRequest("errorCode and detailedErrorCode are only allowed with outcome FAILURE.")
    ignore_expiry = data.get("ignoreExpiry")
    if ignore_expiry is not None and not isinstance(ignore_expiry, bool):
        raise BadRequest("ignoreExpiry must be a boolean.")
    if ignore_expiry and outcome != Outcome.SUCCESS:
        raise BadRequest("ignoreExpiry is only allowed with outcome SUCCESS.")
    return CompleteRequest(
        outcome=Outcome(outcome),
        method=Method(mode) if mode is not None else None,
        error_code=error_code,
        detailed_error_code=detailed_error_code,
        ignore_expiry=bool(ignore_expiry),
    )


def strict_keys(data: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Refuse keys a control endpoint does not know, so a typo is not silently ignored."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        known = ", ".join(allowed) or "none"
        raise BadRequest(f"{unknown[0]} is not a known field here (allowed: {known}).")
    return data


def parse_resend_request(data: dict[str, Any], events: tuple[str, ...]) -> str | None:
    """Body of the webhook resend control call: {"event"?}; returns the event or None."""
    strict_keys(data, ("event",))
    event = data.get("event")
    if event is not None and event not in events:
        raise BadRequest(f"event must be one of {', '.join(events)}.")
    return event


def parse_refund_fail_request(data: dict[str, Any]) -> tuple[str, str]:
    """Body of the refund failure control call: {"errorCode"?, "detailedErrorCode"?}."""
    strict_keys(data, ("errorCode", "detailedErrorCode"))
    return (
        _error_code_field(data, "errorCode") or "UPI_BACKBONE_ERROR",
        _error_code_field(data, "detailedErrorCode") or "TXN_FAILED",
    )


def parse_backdate_request(data: dict[str, Any], *, now: datetime) -> datetime:
    """Body of the backdate control calls: {"completedAt": epoch ms, not in the future}."""
    strict_keys(data, ("completedAt",))
    value = data.get("completedAt")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequest("completedAt must be an integer number of epoch milliseconds.")
    try:
        moment = datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, ValueError, OSError) as error:
        raise BadRequest("completedAt is out of range.") from error
    if moment > now:
        raise BadRequest("completedAt must not be in the future.")
    return moment
