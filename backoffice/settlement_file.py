"""Reading the gateway's daily settlement CSV: every line checked before anything is saved.

The format (the bundled sandbox's export, PhonePe-like): exactly the columns of `HEADER`; `type`
PAYMENT or REFUND; money in rupees with at most two decimals, refunds negative; `net` = amount -
fee - tax_on_fee; ISO dates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from backoffice.dates import local_date
from backoffice.exceptions import SettlementFileInvalid
from backoffice.money import MoneyFormatError, parse_rupees

HEADER = (
    "transaction_id",
    "merchant_order_id",
    "merchant_refund_id",
    "type",
    "amount",
    "fee",
    "tax_on_fee",
    "net",
    "transaction_date",
    "settlement_date",
    "utr",
)
MAX_LINES = 100_000
MAX_ID_LENGTH = {"transaction_id": 64, "merchant_order_id": 63, "merchant_refund_id": 63, "utr": 64}
PAYMENT, REFUND = "PAYMENT", "REFUND"


@dataclass(frozen=True)
class ParsedLine:
    row_number: int
    transaction_id: str
    merchant_order_id: str
    merchant_refund_id: str
    type: str
    amount_paise: int
    fee_paise: int
    tax_on_fee_paise: int
    net_paise: int
    transaction_date: date
    settlement_date: date
    utr: str

    @property
    def key(self) -> tuple[str, str, str, str, date]:
        """What makes a line the same payout as another (SettlementLine's unique constraint)."""
        return (
            self.transaction_id,
            self.merchant_order_id,
            self.merchant_refund_id,
            self.type,
            self.settlement_date,
        )


def _parse_date(text: str) -> date:
    value = text.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    # Some exports write a timestamp; its Indian date is the day meant.
    moment = datetime.fromisoformat(value)
    return local_date(moment) if moment.tzinfo else moment.date()


class _Row:
    """Collects one line's problems while reading its cells."""

    def __init__(self, number: int, cells: dict[str, str], problems: list[str]) -> None:
        self.number = number
        self.cells = cells
        self.problems = problems
        self.ok = True

    def fail(self, message: str) -> None:
        self.ok = False
        self.problems.append(f"Line {self.number}: {message}.")

    def money(self, column: str) -> int:
        try:
            return parse_rupees(self.cells[column])
        except MoneyFormatError:
            self.fail(f"{column} {self.cells[column]!r} is not rupees with at most two decimals")
            return 0

    def day(self, column: str) -> date:
        try:
            return _parse_date(self.cells[column])
        except ValueError:
            self.fail(f"{column} {self.cells[column]!r} is not an ISO date (YYYY-MM-DD)")
            return date.min


def _read_line(number: int, cells: dict[str, str], problems: list[str]) -> ParsedLine | None:
    row = _Row(number, cells, problems)
    for column, limit in MAX_ID_LENGTH.items():
        if len(cells[column]) > limit:
            row.fail(f"{column} is longer than {limit} characters")
    kind = cells["type"]
    if kind not in (PAYMENT, REFUND):
        row.fail(f"type {kind!r} is not PAYMENT or REFUND")
    elif kind == PAYMENT and not cells["merchant_order_id"]:
        row.fail("a PAYMENT line needs a merchant_order_id")
    elif kind == REFUND and not cells["merchant_refund_id"]:
        row.fail("a REFUND line needs a merchant_refund_id")
    amount, fee, tax, net = (row.money(c) for c in ("amount", "fee", "tax_on_fee", "net"))
    transaction_date, settlement_date = row.day("transaction_date"), row.day("settlement_date")
    if row.ok:
        if kind == PAYMENT and amount <= 0:
            row.fail(f"a PAYMENT amount must be positive, not {cells['amount']}")
        if kind == REFUND and amount >= 0:
            row.fail(f"a REFUND amount must be negative, not {cells['amount']}")
        if kind == PAYMENT and (fee < 0 or tax < 0):
            row.fail("a PAYMENT's fee and tax_on_fee cannot be negative")
        if net != amount - fee - tax:
            row.fail(f"net {cells['net']} is not amount - fee - tax_on_fee")
        if settlement_date < transaction_date:
            row.fail("settlement_date is before transaction_date")
    if not row.ok:
        return None
    return ParsedLine(
        row_number=number,
        transaction_id=cells["transaction_id"],
        merchant_order_id=cells["merchant_order_id"],
        merchant_refund_id=cells["merchant_refund_id"],
        type=kind,
        amount_paise=amount,
        fee_paise=fee,
        tax_on_fee_paise=tax,
        net_paise=net,
        transaction_date=transaction_date,
        settlement_date=settlement_date,
        utr=cells["utr"],
    )


def parse_settlement_file(content: bytes) -> list[ParsedLine]:
    """Every line of the file, checked. Raises SettlementFileInvalid listing what is wrong.

    All or nothing: one bad line makes the whole file invalid, so a half-read file is never
    saved. Blank lines are ignored.
    """
    try:
        text = content.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError as error:
        raise SettlementFileInvalid(["The file is not UTF-8 text (is it a CSV file?)."]) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise SettlementFileInvalid(["The file is empty."])
    if tuple(name.strip() for name in header) != HEADER:
        raise SettlementFileInvalid(
            [f"The header must be exactly: {','.join(HEADER)}. Found: {','.join(header)}."]
        )
    problems: list[str] = []
    lines: list[ParsedLine] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(lines) + len(problems) >= MAX_LINES:
                raise SettlementFileInvalid([f"The file has more than {MAX_LINES} lines."])
            if len(cells) != len(HEADER):
                problems.append(
                    f"Line {reader.line_num}: {len(cells)} columns, expected {len(HEADER)}."
                )
                continue
            row = dict(zip(HEADER, (cell.strip() for cell in cells), strict=True))
            parsed = _read_line(reader.line_num, row, problems)
            if parsed is not None:
                lines.append(parsed)
    except csv.Error as error:
        problems.append(f"Line {reader.line_num}: unreadable CSV ({error}).")
    if problems:
        raise SettlementFileInvalid(problems)
    if not lines:
        raise SettlementFileInvalid(["The file has a header but no lines."])
    return lines
