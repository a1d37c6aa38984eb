"""Totals in words, Indian style."""

from __future__ import annotations

import pytest

from invoicing.words import amount_in_words


@pytest.mark.parametrize(
    ("paise", "words"),
    [
        (149950, "Rupees One Thousand Four Hundred Ninety-Nine and Fifty Paise Only"),
        (100, "Rupees One Only"),
        (10100, "Rupees One Hundred One Only"),
        (99, "Rupees Zero and Ninety-Nine Paise Only"),
        (10000000, "Rupees One Lakh Only"),
        (
            12345601,
            "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and One Paise Only",
        ),
        (1000000000, "Rupees One Crore Only"),
    ],
)
def test_amounts_read_in_rupees_and_paise(paise: int, words: str) -> None:
    assert amount_in_words(paise) == words


def test_amounts_in_words_take_integer_paise_only() -> None:
    with pytest.raises(TypeError):
        amount_in_words(1499.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(-100)
