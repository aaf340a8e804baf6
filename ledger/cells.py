"""Reading a ledger sheet: its cells as text, amounts, dates and choices, every problem
recorded as sheet / row / column / message (design §4)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.dates import DateError, parse_date
from common.money import AmountError, parse_amount
from common.spreadsheets import unneutralise
from common.validation import (
    InputError,
    check_date,
    control_character,
    control_character_message,
)
from funding.models import (
    Channel,
    Guide,
    Project,
    Receipt,
    TargetRevision,
)
from org.models import Leader, Unit
from policy.models import Measure, WorkItem

from .counterparts import max_lengths as counterpart_lengths
from .format import HEADER_LOOKUP, Issue, normalise_header
from .reader import SheetSource

PROGRESS_EVERY = 10_000
_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_NODE_SEPARATORS = re.compile(r"[\n;；]+")
MAX_NODES = 50

#: a follow-up person the database does not know (a warning; the project keeps its own)
UNKNOWN_PERSON = object()


def _text(value) -> str:
    if value.__class__ is str:  # most cells: no isinstance chain (100,000s per import)
        text = value.strip()
        return unneutralise(text).strip() if text.startswith("'") else text
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unneutralise(str(value).strip()).strip()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _max_lengths() -> dict[str, dict[str, int]]:
    """The longest text each column's field holds (PostgreSQL refuses longer, SQLite not)."""

    def size(model, name: str) -> int:
        return model._meta.get_field(name).max_length

    code = size(Unit, "code")
    return {
        "units": {"code": code, "name": size(Unit, "name"), "parent": code},
        "leaders": {"name": size(Leader, "name"), "title": size(Leader, "title")},
        "targets": {"unit": code, "reason": size(TargetRevision, "reason")},
        "projects": {
            "code": size(Project, "code"),
            "name": size(Project, "name"),
            "unit": code,
            "channel": size(Channel, "name"),
            "owner": size(Project, "owner"),
        },
        "receipts": {
            "unit": code,
            "project": size(Project, "code"),
            "doc_no": size(Receipt, "doc_no"),
            "channel": size(Channel, "name"),
        },
        "work_items": {
            "code": size(WorkItem, "code"),
            "title": size(WorkItem, "title"),
            "lead_leader": size(Leader, "name"),
            "lead_unit": code,
            "measure": size(Measure, "code"),
        },
        "guides": {
            "code": size(Guide, "code"),
            "title": size(Guide, "title"),
            "issuer": size(Guide, "issuer"),
            "channel": size(Channel, "name"),
        },
        "counterparts": counterpart_lengths(),
    }


class _Rows:
    """Reads one sheet: maps headers to columns, yields (row number, {key: raw value})."""

    def __init__(self, source: SheetSource, issues: list[Issue]):
        self.source, self.issues, self.sheet = source, issues, source.sheet
        self.title = source.title
        self.present: set[str] = set()
        self.index: list[tuple[int, str]] = []
        self.max_lengths = _max_lengths()[self.sheet.key]

    def error(self, row: int | None, column: str, message: str) -> None:
        self.issues.append(Issue(message, sheet=self.title, row=row, column=column))

    def column_name(self, key: str) -> str:
        return next(c.name for c in self.sheet.columns if c.key == key)

    def obeys(self, row: int, key: str, check, *args, **kwargs) -> bool:
        """Whether a record's own rule (funding's and policy's `record_rules`, called by every
        path that writes the record) accepts the row; its refusal is recorded on the cell of
        `key`. The ledger does not restate the rules of the records it writes."""
        try:
            check(*args, **kwargs)
        except ValidationError as exc:
            self.error(row, self.column_name(key), exc.messages[0])
            return False
        return True

    def __iter__(self):
        rows = iter(self.source.rows)
        header = next(rows, None)
        if header is None:
            return
        lookup = HEADER_LOOKUP[self.sheet.key]
        for position, cell in enumerate(header):
            text = _text(cell)
            if not text:
                continue
            column = lookup.get(normalise_header(text))
            if column is None:
                self.issues.append(
                    Issue(_("Unknown column ignored."), sheet=self.title, column=text, warning=True)
                )
            elif column.key in self.present:
                self.error(self.source.first_row, text, _("This column appears twice."))
            else:
                self.present.add(column.key)
                self.index.append((position, column.key))
        missing = [c for c in self.sheet.columns if c.required and c.key not in self.present]
        for column in missing:
            self.error(self.source.first_row, column.name, _("Required column is missing."))
        if missing:
            return
        limits = [(k, n) for k, n in self.max_lengths.items() if k in self.present]
        number = self.source.first_row
        index = self.index
        width = max(position for position, _key in index) + 1
        for raw in rows:
            number += 1
            if len(raw) < width:
                raw = [*raw, *([None] * (width - len(raw)))]
            values = {key: raw[position] for position, key in index}
            for value in values.values():
                if value is not None and (value.__class__ is not str or value.strip()):
                    break
            else:  # a blank row
                continue
            for key, limit in limits:
                value = values[key]
                if value.__class__ is str and len(value) <= limit:
                    continue  # its text is no longer than the cell
                if len(_text(value)) > limit:
                    self.error(
                        number,
                        self.column_name(key),
                        _("At most %(max)s characters, please.") % {"max": limit},
                    )
            for key, value in values.items():  # text hygiene (design §10), every text cell
                if value.__class__ is str and (char := control_character(value)) is not None:
                    self.error(number, self.column_name(key), control_character_message(char))
            yield number, values

    # typed cells: each returns None (and records an error) when the cell is bad
    def required_text(self, number: int, values: dict, key: str) -> str | None:
        text = _text(values.get(key))
        if not text:
            self.error(number, self.column_name(key), _("This cell must not be empty."))
            return None
        return text

    def amount(self, number: int, values: dict, key: str, required: bool = True) -> int | None:
        value = values.get(key)
        if _blank(value):
            if required:
                self.error(number, self.column_name(key), _("This cell must not be empty."))
            return None
        if isinstance(value, str):
            value = unneutralise(value.strip())
        try:
            return parse_amount(value)
        except AmountError as exc:
            self.error(number, self.column_name(key), str(exc))
            return None

    def date(self, number: int, values: dict, key: str, required: bool = True) -> dt.date | None:
        value = values.get(key)
        if _blank(value):
            if required:
                self.error(number, self.column_name(key), _("This cell must not be empty."))
            return None
        try:
            return check_date(parse_date(value))
        except (DateError, InputError) as exc:
            self.error(number, self.column_name(key), str(exc))
            return None

    def choice(self, number: int, values: dict, key: str, names: dict, enum) -> str | None:
        text = _text(values.get(key))
        if not text:
            return ""
        folded = normalise_header(text)
        for name, value in names.items():
            if folded == normalise_header(name):
                return value
        for value, label in enum.choices:
            if folded in (value, normalise_header(str(label))):
                return value
        self.error(
            number,
            self.column_name(key),
            _("Unknown value “%(value)s”; use one of: %(choices)s.")
            % {"value": text, "choices": "、".join(names)},
        )
        return None
