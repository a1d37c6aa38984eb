"""GST taken out of GST-inclusive prices, in integer paise (no database)."""

from __future__ import annotations

import pytest

from invoicing.tax import (
    TaxSplit,
    round_half_up,
    split_in_proportion,
    split_inclusive,
    split_tax,
    taxable_from_inclusive,
    total_of,
)


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(0, 7, 0), (1, 3, 0), (2, 3, 1), (1, 2, 1), (3, 2, 2), (5, 2, 3), (2, 4, 1), (5, 4, 1)],
)
def test_round_half_up_rounds_halves_up_and_the_rest_to_nearest(
    numerator: int, denominator: int, expected: int
) -> None:
    assert round_half_up(numerator, denominator) == expected


def test_a_five_percent_line_keeps_its_tax_inside_the_price() -> None:
    # 998.00 at 5%: 99800 x 10000 / 10500 = 95047.62 -> 95048.
    split = split_inclusive(99800, 500, intra_state=True)

    assert split == TaxSplit(taxable_paise=95048, cgst_paise=2376, sgst_paise=2376)
    assert split.tax_paise == 4752
    assert split.total_paise == 99800


def test_an_exact_half_paisa_of_taxable_value_rounds_up() -> None:
    # 16 paise at 28%: 16 x 10000 / 12800 = 12.5 exactly.
    assert taxable_from_inclusive(16, 2800) == 13
    assert split_inclusive(16, 2800, intra_state=False) == TaxSplit(taxable_paise=13, igst_paise=3)


def test_just_below_a_half_rounds_down() -> None:
    # 4900 at 18%: 4152.54 -> 4153; 1 paisa at 18%: 0.847 -> 1; 5 paise at 18%: 4.237 -> 4.
    assert taxable_from_inclusive(4900, 1800) == 4153
    assert taxable_from_inclusive(1, 1800) == 1
    assert taxable_from_inclusive(5, 1800) == 4


def test_an_odd_paisa_of_tax_goes_to_cgst_and_the_halves_add_up() -> None:
    heads = split_tax(747, intra_state=True)

    assert (heads.cgst_paise, heads.sgst_paise, heads.igst_paise) == (374, 373, 0)
    assert heads.tax_paise == 747


def test_between_states_the_whole_tax_is_igst() -> None:
    split = split_inclusive(4900, 1800, intra_state=False)

    assert split == TaxSplit(taxable_paise=4153, igst_paise=747)


def test_a_zero_rated_line_has_no_tax() -> None:
    assert split_inclusive(12345, 0, intra_state=True) == TaxSplit(taxable_paise=12345)
    assert split_inclusive(12345, 0, intra_state=False).tax_paise == 0


def test_a_zero_amount_has_nothing_in_it() -> None:
    assert split_inclusive(0, 1800, intra_state=True) == TaxSplit(taxable_paise=0)


@pytest.mark.parametrize("rate_bp", [0, 25, 300, 500, 1200, 1800, 2800, 4000])
@pytest.mark.parametrize("intra_state", [True, False])
def test_the_parts_always_add_up_to_the_amount(rate_bp: int, intra_state: bool) -> None:
    for amount_paise in [*range(0, 2001), 99_999_999, 1_000_000_000_001]:
        split = split_inclusive(amount_paise, rate_bp, intra_state=intra_state)
        assert split.total_paise == amount_paise
        assert 0 <= split.tax_paise <= amount_paise
        assert abs(split.cgst_paise - split.sgst_paise) <= 1
        # Never more tax than the rate allows, rounding aside.
        assert split.tax_paise * 10000 <= split.taxable_paise * rate_bp + 10000


def test_a_document_total_is_the_sum_of_its_rows() -> None:
    rows = [
        split_inclusive(99800, 500, intra_state=True),
        split_inclusive(45250, 1200, intra_state=True),
        split_inclusive(4900, 1800, intra_state=True),
    ]

    total = total_of(rows)

    assert total == TaxSplit(taxable_paise=139603, cgst_paise=5174, sgst_paise=5173)
    assert total.total_paise == 149950


def test_an_amount_carries_the_documents_tax_in_proportion() -> None:
    # 500.00 of a 1,499.50 invoice carrying 103.47 of tax: 50000 x 10347 / 149950 = 3450.15.
    split = split_in_proportion(
        50000, document_tax_paise=10347, document_total_paise=149950, intra_state=True
    )

    assert split == TaxSplit(taxable_paise=46550, cgst_paise=1725, sgst_paise=1725)


def test_proportional_tax_never_exceeds_what_is_left_to_reverse() -> None:
    split = split_in_proportion(
        50000,
        document_tax_paise=10347,
        document_total_paise=149950,
        intra_state=False,
        tax_cap_paise=1000,
    )

    assert split == TaxSplit(taxable_paise=49000, igst_paise=1000)


@pytest.mark.parametrize("amount", [100.0, True, "100"])
def test_amounts_must_be_integer_paise(amount: object) -> None:
    with pytest.raises(TypeError):
        split_inclusive(amount, 500, intra_state=True)  # type: ignore[arg-type]


def test_negative_amounts_and_impossible_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        split_inclusive(-1, 500, intra_state=True)
    with pytest.raises(ValueError, match="outside"):
        split_inclusive(100, 10001, intra_state=True)
    with pytest.raises(TypeError):
        split_inclusive(100, 5.0, intra_state=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exceed"):
        split_in_proportion(100, document_tax_paise=11, document_total_paise=10, intra_state=True)
