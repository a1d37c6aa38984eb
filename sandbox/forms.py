"""The pay page's method forms and the console's buttons.

A form's `attempt_spec(...)` says what happens when it is valid; the test instrument entered
decides the outcome. The full card number and the CVV are never kept: only brand and last 4.
"""

import re
from typing import Any

from django import forms
from django.utils import timezone

from sandbox import conf
from sandbox.constants import (
    OUTCOME_CHOICES,
    TEST_BANKS,
    TEST_CARDS,
    TEST_UPI_IDS,
    Outcome,
)
from sandbox.instruments import (
    AttemptSpec,
    PageOptions,
    card_spec,
    net_banking_spec,
    upi_spec,
    wallet_spec,
)

_EXPIRY_RE = re.compile(r"^\s*(0[1-9]|1[0-2])\s*/\s*(\d{2})\s*$")
_OUTCOME_FIELD_CHOICES = [(value, label) for value, (label, _outcome) in OUTCOME_CHOICES.items()]


class _PayForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class UpiForm(_PayForm):
    vpa = forms.CharField(
        label="UPI ID",
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "name@bank"}
        ),
    )

    def clean_vpa(self) -> str:
        vpa = self.cleaned_data["vpa"].strip().lower()
        if vpa not in TEST_UPI_IDS:
            raise forms.ValidationError("Use one of the test UPI ids listed below.")
        return vpa

    def attempt_spec(self, *, options: PageOptions, amount_paise: int) -> AttemptSpec:
        item = TEST_UPI_IDS[self.cleaned_data["vpa"]]
        return upi_spec(
            vpa=item.value,
            payment_mode=options.upi_mode or "UPI_COLLECT",
            outcome=item.outcome,
            error=item.error,
            settle_after_seconds=conf.slow_settle_seconds() if item.settles_later else None,
        )


class CardForm(_PayForm):
    number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "cc-number",
                "inputmode": "numeric",
                "placeholder": "4111 1111 1111 1111",
            }
        ),
    )
    expiry = forms.CharField(
        label="Expiry (MM/YY)",
        max_length=7,
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-exp", "inputmode": "numeric", "placeholder": "MM/YY"}
        ),
    )
    cvv = forms.CharField(
        label="CVV",
        max_length=4,
        widget=forms.PasswordInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )
    name = forms.CharField(
        label="Name on card",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "cc-name"}),
    )

    def clean_number(self) -> str:
        number = re.sub(r"[\s-]", "", self.cleaned_data["number"])
        if not number.isdigit():
            raise forms.ValidationError("Enter the card number using digits only.")
        if number not in TEST_CARDS:
            raise forms.ValidationError("Use one of the test card numbers listed below.")
        return number

    def clean_expiry(self) -> tuple[int, int]:
        match = _EXPIRY_RE.match(self.cleaned_data["expiry"])
        if match is None:
            raise forms.ValidationError("Enter the expiry as MM/YY, e.g. 12/30.")
        month, year = int(match.group(1)), 2000 + int(match.group(2))
        today = timezone.localdate()
        # A card is valid through the last day of its expiry month.
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError("This card has expired; use a future expiry date.")
        return month, year

    def clean_cvv(self) -> str:
        cvv = self.cleaned_data["cvv"].strip()
        if not re.fullmatch(r"\d{3}", cvv):
            raise forms.ValidationError("Enter the 3-digit CVV.")
        return cvv

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the name on the card.")
        return name

    def attempt_spec(self, *, options: PageOptions, amount_paise: int) -> AttemptSpec:
        number = self.cleaned_data["number"]
        item = TEST_CARDS[number]
        return card_spec(
            last4=number[-4:],
            brand="VISA",
            card_type=options.card_type or "CREDIT_CARD",
            outcome=item.outcome,
            error=item.error,
        )


class NetBankingForm(_PayForm):
    bank = forms.ChoiceField(label="Bank", choices=list(TEST_BANKS.items()))
    outcome = forms.ChoiceField(
        label="What should the bank do?", choices=_OUTCOME_FIELD_CHOICES, initial="approve"
    )

    def attempt_spec(self, *, options: PageOptions, amount_paise: int) -> AttemptSpec:
        _label, outcome = OUTCOME_CHOICES[self.cleaned_data["outcome"]]
        return net_banking_spec(bank_id=self.cleaned_data["bank"], outcome=outcome)


class WalletForm(_PayForm):
    outcome = forms.ChoiceField(
        label="What should the wallet do?", choices=_OUTCOME_FIELD_CHOICES, initial="approve"
    )

    def attempt_spec(self, *, options: PageOptions, amount_paise: int) -> AttemptSpec:
        _label, outcome = OUTCOME_CHOICES[self.cleaned_data["outcome"]]
        return wallet_spec(amount_paise=amount_paise, outcome=outcome)


METHOD_FORMS: dict[str, type[UpiForm | CardForm | NetBankingForm | WalletForm]] = {
    "upi": UpiForm,
    "card": CardForm,
    "netbanking": NetBankingForm,
    "wallet": WalletForm,
}
METHOD_LABELS = {"upi": "UPI", "card": "Card", "netbanking": "Net banking", "wallet": "Wallet"}


class ConsoleCompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(Outcome.SUCCESS.value, "Success"), (Outcome.FAILURE.value, "Failure")]
    )
