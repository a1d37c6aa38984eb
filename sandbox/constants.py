"""Wire vocabulary (PhonePe's names) and the sandbox's test instruments."""

from dataclasses import dataclass
from enum import StrEnum

# Payment modes the official SDK can decode (`PgV2InstrumentType`); anything else makes it raise.
SDK_PAYMENT_MODES = frozenset(
    {
        "UPI_INTENT",
        "UPI_COLLECT",
        "UPI_QR",
        "CARD",
        "TOKEN",
        "NET_BANKING",
        "PPE_INTENT",
        "UPI_AUTO_PAY",
    }
)
UPI_MODES = ("UPI_COLLECT", "UPI_INTENT", "UPI_QR")
# Item types a merchant may list in paymentModeConfig (phonepe-v2.md §3).
CONFIGURABLE_MODES = frozenset({"UPI_INTENT", "UPI_COLLECT", "UPI_QR", "NET_BANKING", "CARD"})
CARD_TYPES = frozenset({"DEBIT_CARD", "CREDIT_CARD"})


class Outcome(StrEnum):
    """What the payer (or a test) decided for one attempt."""

    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    PENDING = "PENDING"


class Method(StrEnum):
    """How the payer pays, as the pay page and the control API name it.

    WALLET is ours: on the wire it is paymentMode PPE_INTENT with a WALLET instrument.
    """

    UPI_INTENT = "UPI_INTENT"
    UPI_COLLECT = "UPI_COLLECT"
    UPI_QR = "UPI_QR"
    CARD = "CARD"
    NET_BANKING = "NET_BANKING"
    WALLET = "WALLET"


@dataclass(frozen=True)
class ErrorInfo:
    error_code: str
    detailed_error_code: str
    stage: str
    source: str
    description: str


# Keyed by detailedErrorCode, from PhonePe's error-codes page (phonepe-v2.md §9).
ERRORS: dict[str, ErrorInfo] = {
    info.detailed_error_code: info
    for info in (
        ErrorInfo(
            "TXN_NOT_COMPLETED",
            "TXN_AUTO_FAILED",
            "PRE_AUTHENTICATION",
            "CUSTOMER",
            "The payment was not completed before the order expired.",
        ),
        ErrorInfo(
            "INSUFFICIENT_BALANCE",
            "Z9",
            "AUTHORIZATION",
            "CUSTOMER",
            "The payer's account does not have enough balance.",
        ),
        ErrorInfo(
            "INVALID_MPIN",
            "ZM",
            "AUTHENTICATION",
            "CUSTOMER",
            "The payer entered an incorrect UPI PIN.",
        ),
        ErrorInfo(
            "BANK_TECHNICAL_ISSUE",
            "U90",
            "AUTHORIZATION",
            "ISSUING_BANK",
            "The payer's bank reported a technical issue.",
        ),
        ErrorInfo(
            "BANK_TECHNICAL_ISSUE",
            "UT",
            "AUTHORIZATION",
            "ISSUING_BANK",
            "The payer's bank did not respond in time.",
        ),
        ErrorInfo(
            "BANK_TECHNICAL_ISSUE",
            "U28",
            "AUTHORIZATION",
            "ISSUING_BANK",
            "The payer's bank is unavailable.",
        ),
        ErrorInfo(
            "PAYMENT_CANCELLED",
            "USER_CANCEL",
            "PRE_AUTHENTICATION",
            "CUSTOMER",
            "The payer cancelled the payment on the payment page.",
        ),
        ErrorInfo(
            "PAYMENT_ERROR",
            "TXN_FAILED",
            "AUTHORIZATION",
            "PHONEPE",
            "The payment failed.",
        ),
    )
}
EXPIRED = ERRORS["TXN_AUTO_FAILED"]
CANCELLED = ERRORS["USER_CANCEL"]
INSUFFICIENT_BALANCE = ERRORS["Z9"]
INVALID_MPIN = ERRORS["ZM"]
BANK_DECLINED = ERRORS["U90"]
# Another attempt settled the order first: the leftover pending attempt can no longer succeed.
SUPERSEDED = ERRORS["TXN_FAILED"]


def error_info(*, error_code: str, detailed_error_code: str) -> ErrorInfo:
    """The catalogue entry for a pair of codes, or a generic one for codes a test made up."""
    known = ERRORS.get(detailed_error_code)
    if known is not None and known.error_code == error_code:
        return known
    return ErrorInfo(error_code, detailed_error_code, "AUTHORIZATION", "PHONEPE", "Payment failed.")


@dataclass(frozen=True)
class TestInstrument:
    """One value a tester types on the pay page, and what happens then."""

    __test__ = False  # not a pytest class, despite the name

    value: str
    outcome: Outcome
    summary: str
    error: ErrorInfo | None = None
    settles_later: bool = False


TEST_UPI_IDS: dict[str, TestInstrument] = {
    item.value: item
    for item in (
        TestInstrument("success@ybl", Outcome.SUCCESS, "Payment succeeds."),
        TestInstrument(
            "failure@ybl",
            Outcome.FAILURE,
            "Payment fails: wrong UPI PIN (INVALID_MPIN / ZM).",
            error=INVALID_MPIN,
        ),
        TestInstrument(
            "pending@ybl",
            Outcome.PENDING,
            "Stays pending until the order expires or the console settles it.",
        ),
        TestInstrument(
            "slow@ybl",
            Outcome.SUCCESS,
            "Pending at first, succeeds about 20 seconds later.",
            settles_later=True,
        ),
    )
}

TEST_CARDS: dict[str, TestInstrument] = {
    item.value: item
    for item in (
        TestInstrument("4111111111111111", Outcome.SUCCESS, "Payment succeeds."),
        TestInstrument(
            "4000000000000002",
            Outcome.FAILURE,
            "Payment fails: insufficient balance (INSUFFICIENT_BALANCE / Z9).",
            error=INSUFFICIENT_BALANCE,
        ),
        TestInstrument("4000000000000044", Outcome.PENDING, "Stays pending."),
    )
}

# bankId -> display name.
TEST_BANKS: dict[str, str] = {
    "HDFC": "HDFC Bank (sandbox)",
    "ICIC": "ICICI Bank (sandbox)",
    "SBIN": "State Bank of India (sandbox)",
    "UTIB": "Axis Bank (sandbox)",
}

# The outcome selects of net banking and wallet: value -> (label, outcome).
OUTCOME_CHOICES: dict[str, tuple[str, Outcome]] = {
    "approve": ("Approve", Outcome.SUCCESS),
    "decline": ("Decline", Outcome.FAILURE),
    "pending": ("Leave pending", Outcome.PENDING),
}

WALLET_NAME = "PhonePe Wallet (sandbox)"


def group_card_number(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
