"""Financial years in India Standard Time, GST state codes and GSTINs (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from invoicing.fiscal import INDIA, financial_year
from invoicing.states import gstin_check_character, same_state, state_code, state_with_code


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        (datetime(2026, 4, 1, 0, 0, tzinfo=INDIA), "2026-27"),
        (datetime(2027, 3, 31, 23, 59, 59, tzinfo=INDIA), "2026-27"),
        (datetime(2027, 4, 1, 0, 0, tzinfo=INDIA), "2027-28"),
        (datetime(2027, 1, 15, 12, 0, tzinfo=INDIA), "2026-27"),
        # 18:30 UTC on 31 March is midnight in India: already the new year.
        (datetime(2027, 3, 31, 18, 29, 59, tzinfo=UTC), "2026-27"),
        (datetime(2027, 3, 31, 18, 30, tzinfo=UTC), "2027-28"),
        (datetime(2099, 6, 1, tzinfo=UTC), "2099-00"),
    ],
)
def test_the_financial_year_runs_april_to_march_in_india(moment: datetime, year: str) -> None:
    assert financial_year(moment) == year


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        financial_year(datetime(2027, 4, 1))  # noqa: DTZ001


def test_states_are_known_by_their_gst_codes() -> None:
    assert state_code("Karnataka") == "29"
    assert state_code("  tamil   nadu ") == "33"
    assert state_code("Jammu & Kashmir") == "01"
    assert state_code("Atlantis") == ""
    assert state_with_code("Maharashtra") == "Maharashtra (27)"
    assert state_with_code("Atlantis") == "Atlantis"
    assert same_state("karnataka", "Karnataka")
    assert not same_state("Karnataka", "Kerala")


@pytest.mark.parametrize("gstin", ["29ABCDE1234F1ZW", "27AAPFU0939F1ZV", "29AAGCB7383J1Z4"])
def test_the_gstin_check_character(gstin: str) -> None:
    assert gstin_check_character(gstin[:14]) == gstin[14]
