from __future__ import annotations

import re

from django import forms

from payments.services.orders import CustomerDetails

INDIAN_STATES = [
    "Andaman and Nicobar Islands", "Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar",
    "Chandigarh", "Chhattisgarh", "Dadra and Nagar Haveli and Daman and Diu", "Delhi", "Goa",
    "Gujarat", "Haryana", "Himachal Pradesh", "Jammu and Kashmir", "Jharkhand", "Karnataka",
    "Kerala", "Ladakh", "Lakshadweep", "Madhya Pradesh", "Maharashtra", "Manipur", "Meghalaya",
    "Mizoram", "Nagaland", "Odisha", "Puducherry", "Punjab", "Rajasthan", "Sikkim",
    "Tamil Nadu", "Telangana", "Tripura", "Uttar Pradesh", "Uttarakhand", "West Bengal",
]  # fmt: skip

_PHONE_PREFIX = re.compile(r"^(?:\+?91|0)(?=\d{10}$)")


def normalise_indian_mobile(value: str) -> str:
    """'+91 98765-43210' -> '9876543210'; raises ValidationError for anything else."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    digits = _PHONE_PREFIX.sub("", digits)
    if not re.fullmatch(r"[6-9]\d{9}", digits):
        raise forms.ValidationError(
            "Enter a 10-digit Indian mobile number, e.g. 98765 43210.", code="invalid_phone"
        )
    return digits


PAYMENT_MODES = [
    ("embedded", "Pay here, on this page"),
    ("redirect", "Pay on PhonePe's page"),
]


class CheckoutForm(forms.Form):
    payment_mode = forms.ChoiceField(
        label="How would you like to pay?",
        choices=PAYMENT_MODES,
        widget=forms.RadioSelect,
        required=False,
    )
    full_name = forms.CharField(
        label="Full name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Email", help_text="We send the receipt here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    phone = forms.CharField(
        label="Mobile number", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )  # fmt: skip
    address_line1 = forms.CharField(
        label="Address", max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )  # fmt: skip
    address_line2 = forms.CharField(
        label="Apartment, landmark", max_length=200, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )  # fmt: skip
    city = forms.CharField(
        label="City", max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )  # fmt: skip
    state = forms.ChoiceField(
        label="State", choices=[("", "Choose your state")] + [(s, s) for s in INDIAN_STATES],
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )  # fmt: skip
    postal_code = forms.CharField(
        label="PIN code", max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )  # fmt: skip

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2 or not re.search(r"[^\W\d_]", name):
            raise forms.ValidationError("Enter your name as it should appear on the parcel.")
        return name

    def clean_phone(self) -> str:
        return normalise_indian_mobile(self.cleaned_data["phone"])

    def clean_postal_code(self) -> str:
        code = self.cleaned_data["postal_code"].strip()
        if not re.fullmatch(r"[1-9]\d{5}", code):
            raise forms.ValidationError("Enter a 6-digit PIN code, e.g. 560001.")
        return code

    def clean_city(self) -> str:
        return " ".join(self.cleaned_data["city"].split())

    def customer(self) -> CustomerDetails:
        data = self.cleaned_data
        return CustomerDetails(
            full_name=data["full_name"],
            email=data["email"].strip().lower(),
            phone=data["phone"],
            address_line1=data["address_line1"].strip(),
            address_line2=data["address_line2"].strip(),
            city=data["city"],
            state=data["state"],
            postal_code=data["postal_code"],
        )


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=0, max_value=99)
