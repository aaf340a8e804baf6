"""The one Excel writer every export uses (lists, the cockpit's league, the assessment, the
audit trail, the ledger workbook).

A sheet is a list of `XlsxColumn`s (header, accessor, type, width) over rows of anything;
the workbook is streamed to its target (xlsxwriter's constant-memory mode: a million rows
cost no more memory than ten), and every text cell is formula-neutral (`neutralise`: text a
spreadsheet would run as a formula gets a leading "'"), so nothing a user typed runs in Excel.
"""

import datetime as dt
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

from .money import yuan_to_wan
from .spreadsheets import neutralise

# the cell types a column may have
TEXT, MONEY, DATE, INT, NUMBER, PERCENT = "text", "money", "date", "int", "number", "percent"

#: number formats by type, unless a column names its own
FORMATS = {
    MONEY: "#,##0.00##",  # 万元, to the 元
    DATE: "yyyy-mm-dd",
    PERCENT: "0.0%",
}
HEADER = {"bold": True, "bg_color": "#EEF2F7", "border": 1}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class XlsxColumn:
    """A column of a sheet: its header, how a row gives its value, what type the cell is.

    MONEY values are 元 (int or Decimal) written as exact 万元; DATE a date; INT and NUMBER
    numbers (a value that is not a number is written as text); PERCENT a fraction (0.51);
    TEXT always text, formula-neutral."""

    label: Any  # str or a lazy translation
    value: Callable[[Any], Any]
    kind: str = TEXT
    width: int = 14
    num_format: str = ""  # instead of the type's default
    style: dict = field(default_factory=dict)  # more cell format (e.g. {"text_wrap": True})


class Workbook:
    """A workbook written to `target` (a path or a binary file), sheet after sheet, each row
    once and in order. Use as a context manager, or call `close()`."""

    def __init__(self, target: str | Path | BinaryIO):
        self.book = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                # every cell is written by type below; nothing turns text into a formula or link
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "remove_timezone": True,
            },
        )
        self._formats: dict[tuple, Any] = {}

    def format(self, **properties) -> Any:
        """A cell format, made once per set of properties."""
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(properties) if properties else None
        return self._formats[key]

    def sheet(
        self, name: str, columns: list[XlsxColumn], *, title: str = "", freeze: bool = True
    ) -> "Sheet":
        return Sheet(self, name, columns, title=title, freeze=freeze)

    def close(self) -> None:
        self.book.close()

    def __enter__(self) -> "Workbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Sheet:
    """One sheet: an optional title line, the header (frozen), then the rows."""

    def __init__(
        self,
        workbook: Workbook,
        name: str,
        columns: list[XlsxColumn],
        *,
        title: str = "",
        freeze: bool = True,
    ):
        self.workbook = workbook
        self.columns = columns
        self.ws = workbook.book.add_worksheet(str(name)[:31])
        self.row = 0
        if title:
            self.ws.write_string(0, 0, title, workbook.format(bold=True, font_size=13))
            self.row = 1
        header = workbook.format(**HEADER)
        self._cell_formats = []
        for index, column in enumerate(columns):
            properties = dict(column.style)
            num_format = column.num_format or FORMATS.get(column.kind, "")
            if num_format:
                properties["num_format"] = num_format
            cell_format = workbook.format(**properties)
            self._cell_formats.append(cell_format)
            # the whole column carries the type's format: a cell typed in later shows alike
            self.ws.set_column(index, index, column.width, cell_format)
            self.ws.write_string(self.row, index, str(column.label), header)
        if freeze:
            self.ws.freeze_panes(self.row + 1, 0)

    def write_rows(
        self,
        rows: Iterable,
        *,
        progress: Callable[[int], None] | None = None,
        every: int = 1000,
    ) -> int:
        """Write `rows` under the header (after rows already written); `progress(count)` is
        called every `every` rows. Returns how many rows this call wrote."""
        count = 0
        for count, row in enumerate(rows, start=1):
            self.row += 1
            for index, column in enumerate(self.columns):
                self.write_cell(index, column.kind, column.value(row), self._cell_formats[index])
            if progress is not None and count % every == 0:
                progress(count)
        return count

    def write_cell(self, col: int, kind: str, value: Any, cell_format=None) -> None:
        if value is None or value == "":
            return
        ws, row = self.ws, self.row
        if kind == MONEY:
            # exact 万元 (≤ 4 decimals); a Decimal of that size is exact as a double
            ws.write_number(row, col, float(yuan_to_wan(value)), cell_format)
        elif kind == DATE and isinstance(value, dt.date):
            ws.write_datetime(row, col, value, cell_format)
        elif kind in (INT, NUMBER, PERCENT) and _is_number(value):
            ws.write_number(
                row, col, value if isinstance(value, int) else float(value), cell_format
            )
        else:
            ws.write_string(row, col, neutralise(str(value)), cell_format)

    def note(self, *cells: str, warning: bool = False, skip: int = 1) -> None:
        """A line of text below the rows (after `skip` blank lines): a cut, a file's name."""
        self.row += skip
        style = self.workbook.format(**({"bold": True, "font_color": "#B00020"} if warning else {}))
        for col, text in enumerate(cells):
            self.ws.write_string(self.row, col, neutralise(str(text)), style)


def _is_number(value: Any) -> bool:
    # int, float, Decimal, Fraction (a rate)
    return isinstance(value, numbers.Number) and not isinstance(value, bool | complex)
