"""How each way of paying looks on the wire: paymentMode, instrument and rail (phonepe-v2.md §4).

The pay page and the control API describe an attempt with an `AttemptSpec`; the services store
it; `wire.py` reports it. Only SDK-decodable paymentMode values are ever produced.
"""

from dataclasses import dataclass, field
from typing import Any

from sandbox import ids
from sandbox.constants import (
    BANK_DECLINED,
    CARD_TYPES,
    CONFIGURABLE_MODES,
    INSUFFICIENT_BALANCE,
    SDK_PAYMENT_MODES,
    TEST_BANKS,
    UPI_MODES,
    WALLET_NAME,
    ErrorInfo,
    Method,
    Outcome,
)

DEFAULT_VPA = "sandbox@ybl"
DEFAULT_BANK_ID = "HDFC"


@dataclass(frozen=True)
class AttemptSpec:
    """One attempt to create: how it is reported and how it ends."""

    method: Method
    payment_mode: str
    instrument: dict[str, Any]
    rail: dict[str, Any]
    outcome: Outcome
    error: ErrorInfo | None = None
    split_instruments: list[dict[str, Any]] | None = None
    payer_details: dict[str, Any] = field(default_factory=dict)
    # Pending now, settles to SUCCESS this many seconds later (slow@ybl).
    settle_after_seconds: int | None = None

    def __post_init__(self) -> None:
        if self.payment_mode not in SDK_PAYMENT_MODES:
            raise ValueError(f"{self.payment_mode} is not a paymentMode the PhonePe SDK knows")


def mask_vpa(vpa: str) -> str:
    local, _, handle = vpa.partition("@")
    return f"{local[:2]}{'*' * max(len(local) - 2, 2)}@{handle}"


def _account_instrument() -> dict[str, Any]:
    return {
        "type": "ACCOUNT",
        "maskedAccountNumber": f"XXXXXXXX{ids.new_reference(4)}",
        "ifsc": "SNDB0000001",
        "accountHolderName": "Sandbox Payer",
        "accountType": "SAVINGS",
    }


def _bank_instrument(instrument_type: str, bank_id: str) -> dict[str, Any]:
    return {
        "type": instrument_type,
        "bankTransactionId": ids.new_reference(12),
        "bankId": bank_id,
        "arn": ids.new_reference(23),
        "brn": ids.new_reference(12),
    }


def _pg_rail() -> dict[str, Any]:
    return {
        "type": "PG",
        "transactionId": ids.new_reference(18),
        "authorizationCode": ids.new_reference(6),
        "serviceTransactionId": f"PG{ids.new_hex(20)}",
    }


def _failure(outcome: Outcome, error: ErrorInfo | None, default: ErrorInfo) -> ErrorInfo | None:
    if outcome != Outcome.FAILURE:
        return None
    return error or default


def upi_spec(
    *,
    vpa: str,
    payment_mode: str,
    outcome: Outcome,
    error: ErrorInfo | None = None,
    settle_after_seconds: int | None = None,
) -> AttemptSpec:
    return AttemptSpec(
        method=Method(payment_mode),
        payment_mode=payment_mode,
        instrument=_account_instrument(),
        rail={
            "type": "UPI",
            "utr": ids.new_reference(12),
            "upiTransactionId": f"YBL{ids.new_hex(32).lower()}",
            "vpa": mask_vpa(vpa),
        },
        outcome=outcome,
        error=_failure(outcome, error, INSUFFICIENT_BALANCE),
        payer_details={"vpa": vpa},
        settle_after_seconds=settle_after_seconds,
    )


def card_spec(
    *,
    last4: str,
    brand: str,
    card_type: str,
    outcome: Outcome,
    error: ErrorInfo | None = None,
) -> AttemptSpec:
    return AttemptSpec(
        method=Method.CARD,
        payment_mode="CARD",
        instrument=_bank_instrument(card_type, DEFAULT_BANK_ID),
        rail=_pg_rail(),
        outcome=outcome,
        error=_failure(outcome, error, INSUFFICIENT_BALANCE),
        payer_details={"brand": brand, "last4": last4, "cardType": card_type},
    )


def net_banking_spec(
    *, bank_id: str, outcome: Outcome, error: ErrorInfo | None = None
) -> AttemptSpec:
    return AttemptSpec(
        method=Method.NET_BANKING,
        payment_mode="NET_BANKING",
        instrument=_bank_instrument("NET_BANKING", bank_id),
        rail=_pg_rail(),
        outcome=outcome,
        error=_failure(outcome, error, BANK_DECLINED),
        payer_details={"bank": TEST_BANKS.get(bank_id, bank_id)},
    )


def wallet_spec(
    *, amount_paise: int, outcome: Outcome, error: ErrorInfo | None = None
) -> AttemptSpec:
    instrument = {"type": "WALLET", "walletId": f"WAL{ids.new_reference(12)}"}
    rail = {"type": "PPI_WALLET"}
    return AttemptSpec(
        method=Method.WALLET,
        # PhonePe reports its own wallet as PPE_INTENT; a "WALLET" mode would break the SDK.
        payment_mode="PPE_INTENT",
        instrument=instrument,
        rail=rail,
        split_instruments=[{"instrument": instrument, "rail": rail, "amount": amount_paise}],
        outcome=outcome,
        error=_failure(outcome, error, INSUFFICIENT_BALANCE),
        payer_details={"wallet": WALLET_NAME},
    )


def spec_for_method(
    *, method: Method, amount_paise: int, outcome: Outcome, error: ErrorInfo | None = None
) -> AttemptSpec:
    """A plausible attempt for a method, for the control API and console (no payer input)."""
    if method in (Method.UPI_INTENT, Method.UPI_COLLECT, Method.UPI_QR):
        return upi_spec(vpa=DEFAULT_VPA, payment_mode=method.value, outcome=outcome, error=error)
    if method == Method.CARD:
        return card_spec(
            last4="1111", brand="VISA", card_type="CREDIT_CARD", outcome=outcome, error=error
        )
    if method == Method.NET_BANKING:
        return net_banking_spec(bank_id=DEFAULT_BANK_ID, outcome=outcome, error=error)
    return wallet_spec(amount_paise=amount_paise, outcome=outcome, error=error)


@dataclass(frozen=True)
class PageOptions:
    """Which methods the pay page offers for an order, from its paymentModeConfig."""

    upi_mode: str | None
    card_type: str | None
    net_banking: bool
    wallet: bool

    def offers(self, method: str) -> bool:
        return {
            "upi": self.upi_mode is not None,
            "card": self.card_type is not None,
            "netbanking": self.net_banking,
            "wallet": self.wallet,
        }.get(method, False)


def page_options(config: dict[str, Any] | None) -> PageOptions:
    enabled = (config or {}).get("enabledPaymentModes")
    disabled = (config or {}).get("disabledPaymentModes") or []
    card_types: set[str]
    if enabled is not None:
        allowed = {mode["type"] for mode in enabled}
        card_modes = [mode for mode in enabled if mode["type"] == "CARD"]
        card_types = set(card_modes[0].get("cardTypes") or CARD_TYPES) if card_modes else set()
        # PhonePe's wallet is not a configurable type; an allow-list leaves it out.
        wallet = False
    else:
        allowed = set(CONFIGURABLE_MODES)
        card_types = set(CARD_TYPES)
        for mode in disabled:
            if mode["type"] == "CARD" and mode.get("cardTypes"):
                card_types -= set(mode["cardTypes"])
            else:
                allowed.discard(mode["type"])
        wallet = True
    if "CARD" not in allowed:
        card_types = set()
    upi_mode = next((mode for mode in UPI_MODES if mode in allowed), None)
    card_type = next((kind for kind in ("CREDIT_CARD", "DEBIT_CARD") if kind in card_types), None)
    return PageOptions(
        upi_mode=upi_mode,
        card_type=card_type,
        net_banking="NET_BANKING" in allowed,
        wallet=wallet,
    )
