import pytest

from payments.money import format_inr, group_indian


@pytest.mark.parametrize(
    ("paise", "text"),
    [
        (0, "₹0.00"),
        (5, "₹0.05"),
        (100, "₹1.00"),
        (44900, "₹449.00"),
        (149950, "₹1,499.50"),
        (10000000, "₹1,00,000.00"),
        (1234567899, "₹1,23,45,678.99"),
        (-25000, "-₹250.00"),
    ],
)
def test_format_inr_uses_indian_grouping_and_two_decimals(paise: int, text: str) -> None:
    assert format_inr(paise) == text


def test_format_inr_can_drop_zero_paise_and_symbol() -> None:
    assert format_inr(99900, drop_zero_paise=True) == "₹999"
    assert format_inr(99950, drop_zero_paise=True) == "₹999.50"
    assert format_inr(99900, symbol=False) == "999.00"


@pytest.mark.parametrize("bad", [1.5, "100", None, True])
def test_format_inr_refuses_anything_but_integer_paise(bad: object) -> None:
    with pytest.raises(TypeError):
        format_inr(bad)  # type: ignore[arg-type]


def test_group_indian_short_numbers_are_untouched() -> None:
    assert group_indian("999") == "999"
    assert group_indian("1000") == "1,000"
    assert group_indian("100000") == "1,00,000"
