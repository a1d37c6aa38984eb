import pytest
from django import forms

from shop.forms import CheckoutForm, normalise_indian_mobile

VALID = {
    "full_name": "  Asha   Rao ",
    "email": "Asha@Example.TEST",
    "phone": "+91 98765-43210",
    "address_line1": "12 MG Road",
    "address_line2": "",
    "city": " Bengaluru ",
    "state": "Karnataka",
    "postal_code": "560001",
}


@pytest.mark.parametrize(
    "raw", ["9876543210", "+919876543210", "+91 98765 43210", "09876543210", "91-98765-43210"]
)
def test_indian_mobile_numbers_are_normalised(raw: str) -> None:
    assert normalise_indian_mobile(raw) == "9876543210"


@pytest.mark.parametrize(
    "raw", ["", "12345", "5876543210", "98765432101", "abcdefghij", "+1 9876543210"]
)
def test_bad_mobile_numbers_are_refused(raw: str) -> None:
    with pytest.raises(forms.ValidationError):
        normalise_indian_mobile(raw)


def test_valid_details_are_cleaned() -> None:
    form = CheckoutForm(VALID)
    assert form.is_valid(), form.errors
    customer = form.customer()
    assert customer.full_name == "Asha Rao"
    assert customer.email == "asha@example.test"
    assert customer.phone == "9876543210"
    assert customer.city == "Bengaluru"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "This field is required."),
        ("full_name", "12", "Enter your name"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "12345", "Enter a 10-digit Indian mobile number"),
        ("postal_code", "012345", "Enter a 6-digit PIN code"),
        ("postal_code", "56000", "Ensure this value has at least 6 characters"),
        ("state", "Atlantis", "Select a valid choice."),
        ("address_line1", "", "This field is required."),
    ],
)
def test_each_field_explains_what_is_wrong(field: str, value: str, message: str) -> None:
    form = CheckoutForm({**VALID, field: value})
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field])
