"""GST arithmetic on GST-inclusive prices, in integer paise.

The shop's prices include GST, so tax is taken out of a price rather than added to it:

    taxable = round_half_up(price * 10000 / (10000 + rate_bp))
    tax     = price - taxable

Each row of a document is split on its own (a line's total, not its unit price, so a quantity
does not multiply a rounding error); a document's totals are the sums of its rows, so the rows
always add up to the printed totals and the totals to the amount paid. Within a state the tax is
CGST + SGST: CGST = round_half_up(tax / 2) (it takes the odd paisa), SGST = tax - CGST, so the
halves always add up to the tax. Between states the whole tax is IGST.

Only integers: a half is decided with divmod, exactly, never with float.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BASIS_POINTS = 10_000
MAX_RATE_BP = BASIS_POINTS


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves away from zero (both >= 0 here)."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("round_half_up takes a non-negative numerator, a positive denominator.")
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def _check_paise(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} is integer paise, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative")


def _check_rate(rate_bp: int) -> None:
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int):
        raise TypeError(f"GST rate is integer basis points, got {type(rate_bp).__name__}")
    if not 0 <= rate_bp <= MAX_RATE_BP:
        raise ValueError(f"GST rate {rate_bp} bp is outside 0..{MAX_RATE_BP}")


@dataclass(frozen=True)
class TaxSplit:
    """What an amount is made of: taxable value and the tax heads. Always adds up exactly."""

    taxable_paise: int
    cgst_paise: int = 0
    sgst_paise: int = 0
    igst_paise: int = 0

    @property
    def tax_paise(self) -> int:
        return self.cgst_paise + self.sgst_paise + self.igst_paise

    @property
    def total_paise(self) -> int:
        return self.taxable_paise + self.tax_paise

    def __add__(self, other: TaxSplit) -> TaxSplit:
        return TaxSplit(
            taxable_paise=self.taxable_paise + other.taxable_paise,
            cgst_paise=self.cgst_paise + other.cgst_paise,
            sgst_paise=self.sgst_paise + other.sgst_paise,
            igst_paise=self.igst_paise + other.igst_paise,
        )


ZERO = TaxSplit(taxable_paise=0)


def taxable_from_inclusive(amount_paise: int, rate_bp: int) -> int:
    """The taxable value inside a GST-inclusive amount."""
    _check_paise(amount_paise, "amount_paise")
    _check_rate(rate_bp)
    return round_half_up(amount_paise * BASIS_POINTS, BASIS_POINTS + rate_bp)


def split_tax(tax_paise: int, *, intra_state: bool) -> TaxSplit:
    """Tax into its heads (taxable 0): CGST + SGST within a state, IGST between states."""
    _check_paise(tax_paise, "tax_paise")
    if not intra_state:
        return TaxSplit(taxable_paise=0, igst_paise=tax_paise)
    cgst = round_half_up(tax_paise, 2)
    return TaxSplit(taxable_paise=0, cgst_paise=cgst, sgst_paise=tax_paise - cgst)


def split_inclusive(amount_paise: int, rate_bp: int, *, intra_state: bool) -> TaxSplit:
    """A GST-inclusive amount at one rate, split so that the parts add up to the amount."""
    taxable = taxable_from_inclusive(amount_paise, rate_bp)
    heads = split_tax(amount_paise - taxable, intra_state=intra_state)
    return TaxSplit(
        taxable_paise=taxable,
        cgst_paise=heads.cgst_paise,
        sgst_paise=heads.sgst_paise,
        igst_paise=heads.igst_paise,
    )


def split_in_proportion(
    amount_paise: int,
    *,
    document_tax_paise: int,
    document_total_paise: int,
    intra_state: bool,
    tax_cap_paise: int | None = None,
) -> TaxSplit:
    """Part of a document's total, carrying the document's tax in the same proportion.

    For a refund of an amount (not of lines) against an invoice that mixes rates:
    tax = round_half_up(amount * document tax / document total), taxable = amount - tax. When
    given, `tax_cap_paise` (the document's tax not yet reversed) bounds the tax, so several
    such refunds never reverse more tax than the invoice charged.
    """
    _check_paise(amount_paise, "amount_paise")
    _check_paise(document_tax_paise, "document_tax_paise")
    if document_total_paise <= 0:
        raise ValueError("document_total_paise must be positive")
    if document_tax_paise > document_total_paise:
        raise ValueError("A document's tax cannot exceed its total")
    tax = round_half_up(amount_paise * document_tax_paise, document_total_paise)
    if tax_cap_paise is not None:
        tax = max(0, min(tax, tax_cap_paise))
    heads = split_tax(tax, intra_state=intra_state)
    return TaxSplit(
        taxable_paise=amount_paise - tax,
        cgst_paise=heads.cgst_paise,
        sgst_paise=heads.sgst_paise,
        igst_paise=heads.igst_paise,
    )


def total_of(splits: Iterable[TaxSplit]) -> TaxSplit:
    """The column sums of a document's rows."""
    result = ZERO
    for split in splits:
        result = result + split
    return result
