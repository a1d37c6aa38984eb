"""Amounts in words, the Indian way (lakh, crore), as GST documents print them."""

from __future__ import annotations

from num2words import num2words  # type: ignore[import-untyped]


def _title(words: str) -> str:
    """'one thousand, four hundred and ninety-nine' -> 'One Thousand Four Hundred Ninety-Nine'.

    Commas and the British 'and' are dropped: the only 'and' left in the sentence is the one
    between rupees and paise, so it reads unambiguously.
    """
    parts = words.replace(",", " ").split()
    return " ".join(
        "-".join(piece.capitalize() for piece in part.split("-")) for part in parts if part != "and"
    )


def number_in_words(number: int) -> str:
    """1234567 -> 'Twelve Lakh Thirty-Four Thousand Five Hundred Sixty-Seven'."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValueError(f"Expected a non-negative integer, got {number!r}")
    return _title(num2words(number, lang="en_IN"))


def amount_in_words(paise: int) -> str:
    """149950 -> 'Rupees One Thousand Four Hundred Ninety-Nine and Fifty Paise Only'."""
    if isinstance(paise, bool) or not isinstance(paise, int):
        raise TypeError(f"Amounts are integer paise, got {type(paise).__name__}")
    if paise < 0:
        raise ValueError("An amount in words cannot be negative")
    rupees, rest = divmod(paise, 100)
    text = f"Rupees {number_in_words(rupees)}"
    if rest:
        text += f" and {number_in_words(rest)} Paise"
    return f"{text} Only"
