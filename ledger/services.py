"""Importing a ledger workbook (design §4): validate every row first, then write it all at once.

The import is all-or-nothing: every problem in the file is collected (sheet / row / column /
message) and, if there is any, nothing is written. A valid file is written in one transaction
in bulk (a county ledger holds ~100,000 receipts), with the same audit shapes the services
write: one `ledger.imported` batch event plus one event per created or updated record, all
linked by the event's `batch` field. Re-importing the same file changes nothing and writes
no per-record events.

Channels: a channel named in the file that does not exist is created only when the row gives
its level (层级 / 申报层级); otherwise it is an error.
"""

import datetime as dt
import gc
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditBatch
from common.dates import DateError, parse_date
from common.money import AmountError, parse_amount
from common.permissions import Role, role_of
from common.services import large_write_cache, require
from common.spreadsheets import unneutralise
from common.validation import (
    FIRST_DAY,
    InputError,
    check_date,
    check_event_date,
    control_character,
    control_character_message,
    latest_event_date,
)
from funding.choices import LEVEL_NAMES_ZH, STAGE_NAMES_ZH, Level, ReceiptState, Stage
from funding.docno import normalise_doc_no
from funding.models import (
    Channel,
    ClaimReview,
    Guide,
    Project,
    Receipt,
    Target,
    TargetRevision,
)
from funding.receipt_rule import (
    Earlier,
    ProjectFacts,
    ReceiptBook,
    ReceiptRefused,
    check_receipt,
    complete_links,
)
from funding.rules import amount_in_force
from funding.services import (
    PLAN_YEAR_MAX,
    PLAN_YEAR_MIN,
    bulk_record_receipts,
    bulk_save_channels,
    bulk_save_guides,
    bulk_save_projects,
    bulk_set_targets,
    effective_date,
)
from org.models import Leader, Unit, UnitKind
from org.services import bulk_save_leaders, bulk_save_units, set_oversight
from org.tree import LOOP_MESSAGE, find_loops
from policy.meetings import DECISIONS_POLICY
from policy.models import AssignmentRole, Measure, Policy, WorkItem
from policy.services import bulk_save_work_items

from .counterparts import CounterpartSheet
from .counterparts import max_lengths as counterpart_lengths
from .format import HEADER_LOOKUP, SHEETS, Issue, LedgerError, normalise_header
from .reader import SheetSource, open_ledger

UNIT_KIND_NAMES = {
    "部门": UnitKind.DEPARTMENT,
    "乡镇": UnitKind.TOWNSHIP,
    "企业": UnitKind.ENTERPRISE,
}
UNIT_KIND_NAMES["其他"] = UnitKind.OTHER
UNIT_KIND_ZH = {value: name for name, value in UNIT_KIND_NAMES.items()}
LEVEL_ZH = {Level.CENTRAL: "中央", Level.PROVINCIAL: "省级", Level.MUNICIPAL: "市级"}
STAGE_ZH = {value: name for name, value in STAGE_NAMES_ZH.items()}
PROGRESS_EVERY = 10_000
_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_NODE_SEPARATORS = re.compile(r"[\n;；]+")
MAX_NODES = 50


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportResult:
    """What an import did (or, dry run / preview, would do)."""

    file_name: str
    sha256: str = ""
    counts: dict[str, Counts] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    dry_run: bool = False
    batch: str = ""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if not i.warning]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.warning]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())

    def summary_line(self) -> str:
        from .format import SHEET_LABELS

        parts = [
            _("%(sheet)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "sheet": SHEET_LABELS[key],
                "created": c.created,
                "updated": c.updated,
                "unchanged": c.unchanged,
            }
            for key, c in self.counts.items()
        ]
        return "; ".join(parts)


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- cells -------------------------------------------------------------------------------


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


# --- the import --------------------------------------------------------------------------


RECEIPT_BATCH = 500  # keys a query (SQLite allows 32,766 parameters; PostgreSQL more)


def receipts_colliding_with(rows: list[tuple], unit_pk: dict[str, int]):
    """The stored receipts a file's receipt rows can collide with, and only those: the ones
    sharing a normalised 文号 with a row (an exact repeat, a duplicate or a doubtful claim),
    and for a row without 文号 the ones of its unit on its date without one. Looked up by key,
    a batch at a time, so an import costs what its file holds, not what the database does.
    Yields (pk, unit id, date, amount, 文号, 文号 key, project code, channel id, level)."""
    fields = (
        "pk",
        "unit_id",
        "received_on",
        "amount",
        "doc_no",
        "doc_key",
        "project__code",
        "channel_id",
        "level",
    )
    keys, blank = set(), set()
    for row in rows:
        key = normalise_doc_no(row[4])
        if key:
            keys.add(key)
        elif row[1] in unit_pk:
            blank.add((unit_pk[row[1]], row[3]))
    ordered = sorted(keys)
    for start in range(0, len(ordered), RECEIPT_BATCH):
        yield from (
            Receipt.objects.filter(doc_key__in=ordered[start : start + RECEIPT_BATCH])
            .order_by("-received_on", "-id")
            .values_list(*fields)
        )
    pairs = sorted(blank)
    for start in range(0, len(pairs), RECEIPT_BATCH):
        match = Q()
        for unit_id, on in pairs[start : start + RECEIPT_BATCH]:
            match |= Q(unit_id=unit_id, received_on=on)
        yield from Receipt.objects.filter(match, doc_key="").values_list(*fields)


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


def import_ledger(
    path: str | Path,
    *,
    user,
    name: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Validate a ledger file completely, then (unless `dry_run` or any error) write it."""
    _require_office(user)
    with _without_cycle_collection():
        return _import(Path(path), user=user, name=name, dry_run=dry_run, progress=progress)


@contextmanager
def _without_cycle_collection():
    """Python's cycle collector paused for the length of an import: the import builds some
    million tuples, dicts and strings that hold no cycles, and the collector's passes over
    them cost a tenth of the import. Reference counting frees memory as always; the collector
    runs again afterwards (it is process-wide: other threads go without it for these
    seconds)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(path: Path, *, user, name, dry_run: bool, progress) -> ImportResult:
    result = ImportResult(file_name=name or path.name, dry_run=dry_run)
    if path.is_file():
        result.sha256 = file_sha256(path)
    try:
        plan = _Plan(result, progress)
        sources, warnings = open_ledger(path, name=result.file_name)
        result.issues.extend(warnings)
        plan.read(sources)
        if not plan.seen_rows and result.ok:
            result.issues.append(Issue(_("The workbook holds no ledger rows.")))
        plan.check()
    except LedgerError as exc:
        result.issues.extend(exc.issues)
    # row checks and cross-checks run in two passes; list them as the file reads
    order = {reader.title: i for i, reader in enumerate(plan.readers.values())}
    result.issues.sort(key=lambda i: (order.get(i.sheet, -1), i.row or 0))
    if not result.ok:
        result.counts = {}
        return result
    if not dry_run:
        with large_write_cache(), transaction.atomic():
            plan.write(user)
    return result


#: a follow-up person the database does not know (a warning; the project keeps its own)
UNKNOWN_PERSON = object()


class _Plan(CounterpartSheet):
    """Parsed rows of every sheet, checked against each other and the database."""

    def __init__(self, result: ImportResult, progress):
        self.result, self.issues, self.progress = result, result.issues, progress
        self.today: dt.date = timezone.localdate()
        self.latest = latest_event_date(self.today)  # of a receipt's date
        self.rows: dict[str, list] = {}
        self.present: dict[str, set[str]] = {}
        self.readers: dict[str, _Rows] = {}
        self.seen_rows = 0
        # every code the file names, valid row or not, so one bad row is one error, not many
        self.unit_codes_seen: set[str] = set()
        self.project_units_seen: dict[str, str] = {}
        self.new_policies: dict[str, int] = {}
        self._people: dict[str, dict[str, int | None]] | None = None

    def tick(self, label: str, count: int) -> None:
        if self.progress and count % PROGRESS_EVERY == 0:
            self.progress(label, count)

    def read(self, sources: list[SheetSource]) -> None:
        for source in sources:
            if source.sheet.key in self.rows:
                self.issues.append(Issue(_("This sheet appears twice."), sheet=source.title))
                continue
            reader = _Rows(source, self.issues)
            parse = getattr(self, f"_parse_{source.sheet.key}")
            parsed, seen = [], {}
            for count, (number, values) in enumerate(reader, start=1):
                self.tick(source.title, count)
                item = parse(reader, number, values, seen)
                if item is not None:
                    parsed.append(item)
                self.seen_rows += 1
            self.rows[source.sheet.key] = parsed
            self.present[source.sheet.key] = reader.present
            self.readers[source.sheet.key] = reader

    def _duplicate(self, reader, number, column_key, key, seen) -> bool:
        if key in seen:
            reader.error(
                number,
                reader.column_name(column_key),
                _("Duplicate of row %(row)s.") % {"row": seen[key]},
            )
            return True
        seen[key] = number
        return False

    def _parse_units(self, reader: _Rows, number, values, seen):
        code = reader.required_text(number, values, "code")
        name = reader.required_text(number, values, "name")
        kind = reader.choice(number, values, "kind", UNIT_KIND_NAMES, UnitKind)
        if code:
            self.unit_codes_seen.add(code)
        if code and self._duplicate(reader, number, "code", code, seen):
            return None
        if name and self._duplicate(reader, number, "name", ("name", name), seen):
            return None
        if None in (code, name, kind):
            return None
        leaders = [n for n in _SEPARATORS.split(_text(values.get("leader"))) if n]
        return {
            "row": number,
            "code": code,
            "name": name,
            "kind": kind or UnitKind.DEPARTMENT,
            "parent": _text(values.get("parent")),
            "leaders": leaders,
        }

    def _parse_leaders(self, reader: _Rows, number, values, seen):
        name = reader.required_text(number, values, "name")
        if name is None or self._duplicate(reader, number, "name", name, seen):
            return None
        return {"row": number, "name": name, "title": _text(values.get("title"))}

    def _parse_targets(self, reader: _Rows, number, values, seen):
        year_text = reader.required_text(number, values, "year")
        year = None
        if year_text:
            folded = normalise_header(year_text).removesuffix("年")
            if folded.isascii() and folded.isdigit() and 1900 <= int(folded) <= 2200:
                year = int(folded)
            else:
                reader.error(
                    number,
                    reader.column_name("year"),
                    _("“%(text)s” is not a year.") % {"text": year_text},
                )
        unit = reader.required_text(number, values, "unit")
        amount = reader.amount(number, values, "amount")
        effective = reader.date(number, values, "effective", required=False)
        bad_date = effective is None and not _blank(values.get("effective"))
        if effective is not None and year is not None and effective.year != year:
            reader.error(
                number,
                reader.column_name("effective"),
                _("The effective date must be within %(year)s, the year of the target.")
                % {"year": year},
            )
            bad_date = True
        reason = _text(values.get("reason"))
        if None in (year, unit, amount) or bad_date:
            return None
        # without a date, a change takes effect on the import day (kept inside the year)
        given = effective is not None
        effective = effective_date(year, effective, today=self.today)
        if self._duplicate(reader, number, "unit", (year, unit, effective), seen):
            return None
        return {
            "row": number,
            "year": year,
            "unit": unit,
            "amount": amount,
            "effective": effective,
            "effective_given": given,
            "reason": reason,
        }

    def _parse_projects(self, reader: _Rows, number, values, seen):
        code = reader.required_text(number, values, "code")
        name = reader.required_text(number, values, "name")
        unit = reader.required_text(number, values, "unit")
        level = reader.choice(number, values, "level", LEVEL_NAMES_ZH, Level)
        stage = reader.choice(number, values, "stage", STAGE_NAMES_ZH, Stage)
        if code and unit:
            self.project_units_seen.setdefault(code, unit)
        requested = reader.amount(number, values, "requested", required=False)
        applied_on = reader.date(number, values, "applied_on", required=False)
        total = reader.amount(number, values, "total_investment", required=False)
        bad_requested = requested is None and not _blank(values.get("requested"))
        bad_date = applied_on is None and not _blank(values.get("applied_on"))
        bad_total = total is None and not _blank(values.get("total_investment"))
        plan_year, bad_year = self._plan_year(reader, number, values)
        follow_up = self._follow_up(reader, number, values, unit)
        if code and self._duplicate(reader, number, "code", code, seen):
            return None
        bad = bad_requested or bad_date or bad_total or bad_year
        if None in (code, name, unit, level, stage) or bad:
            return None
        return {
            "row": number,
            "code": code,
            "name": name,
            "unit": unit,
            "channel": _text(values.get("channel")),
            "level": level,
            "requested": requested,
            "stage": stage or Stage.RESERVE,
            "applied_on": applied_on,
            "owner": _text(values.get("owner")),
            "plan_year": plan_year,
            "total_investment": total,
            "description": _text(values.get("description")),
            "follow_up": follow_up,
        }

    def _plan_year(self, reader: _Rows, number, values) -> tuple[int | None, bool]:
        """(the project's plan year or None, whether the cell was bad)."""
        text = _text(values.get("plan_year"))
        if not text:
            return None, False
        folded = normalise_header(text).removesuffix("年")
        if folded.isascii() and folded.isdigit() and PLAN_YEAR_MIN <= int(folded) <= PLAN_YEAR_MAX:
            return int(folded), False
        reader.error(
            number,
            reader.column_name("plan_year"),
            _("The plan year must be between %(first)s and %(last)s.")
            % {"first": PLAN_YEAR_MIN, "last": PLAN_YEAR_MAX},
        )
        return None, True

    def _follow_up(self, reader: _Rows, number, values, unit: str | None):
        """The follow-up person's user id: a person of the project's unit, by login name, or by
        name when only one person of the unit has it. None for an empty cell; UNKNOWN_PERSON
        (with a warning) for a person this database does not know — a ledger moved to another
        city's Luoshi carries no accounts — and then the project keeps the one it has."""
        text = _text(values.get("follow_up"))
        if not text or unit is None:
            return None
        if self._people is None:
            from org.models import Membership

            self._people = {}
            names: dict[tuple[str, str], list[int]] = {}
            for user_id, code, login, name in Membership.objects.filter(
                user__is_active=True
            ).values_list("user_id", "unit__code", "user__username", "user__first_name"):
                self._people.setdefault(code, {})[login] = user_id
                if name:
                    names.setdefault((code, name), []).append(user_id)
            for (code, name), ids in names.items():
                # a name two people share names nobody (None: ambiguous)
                self._people[code].setdefault(name, ids[0] if len(ids) == 1 else None)
        person = self._people.get(unit, {}).get(text)
        if person is not None:
            return person
        self.issues.append(
            Issue(
                _(
                    "No person “%(name)s” in unit %(unit)s (give their login name): the project "
                    "keeps its follow-up person."
                )
                % {"name": text, "unit": unit},
                sheet=reader.title,
                row=number,
                column=reader.column_name("follow_up"),
                warning=True,
            )
        )
        return UNKNOWN_PERSON

    def _parse_receipts(self, reader: _Rows, number, values, seen):
        unit = reader.required_text(number, values, "unit")
        amount = reader.amount(number, values, "amount")
        if amount == 0:
            reader.error(
                number, reader.column_name("amount"), _("The amount must be greater than zero.")
            )
            amount = None
        on = reader.date(number, values, "date")
        if on is not None and not FIRST_DAY <= on <= self.latest:  # else it is refused:
            try:
                check_event_date(on, self.today)
            except InputError as exc:
                reader.error(number, reader.column_name("date"), str(exc))
                on = None
        level = reader.choice(number, values, "level", LEVEL_NAMES_ZH, Level)
        if None in (unit, amount, on, level):
            return None
        doc_no = _text(values.get("doc_no"))
        if self._duplicate(reader, number, "amount", (unit, on, amount, doc_no), seen):
            return None
        return (
            number,
            unit,
            amount,
            on,
            doc_no,
            _text(values.get("project")),
            _text(values.get("channel")),
            level,
        )

    def _parse_work_items(self, reader: _Rows, number, values, seen):
        code = reader.required_text(number, values, "code")
        title = reader.required_text(number, values, "title")
        leader = reader.required_text(number, values, "lead_leader")
        lead_unit = reader.required_text(number, values, "lead_unit")
        due_on = reader.date(number, values, "due_on")
        nodes = self._parse_nodes(reader, number, _text(values.get("milestones")))
        if code and self._duplicate(reader, number, "code", code, seen):
            return None
        if None in (code, title, leader, lead_unit, due_on, nodes):
            return None
        co_units = [c for c in _SEPARATORS.split(_text(values.get("co_units"))) if c]
        if lead_unit in co_units:
            reader.error(
                number,
                reader.column_name("co_units"),
                _("The lead unit cannot also be a co-unit."),
            )
            return None
        return {
            "row": number,
            "code": code,
            "title": title,
            "policy": _text(values.get("policy")),
            "measure": _text(values.get("measure")),
            "lead_leader": leader,
            "lead_unit": lead_unit,
            "co_units": list(dict.fromkeys(co_units)),
            "due_on": due_on,
            "milestones": nodes,
            "goal": _text(values.get("goal")),
        }

    def _parse_nodes(self, reader: _Rows, number: int, text: str):
        """时间节点: one per line (or ；), each "date what", e.g. "2024-09-30 完成可研批复"."""
        nodes, titles = [], set()
        for part in _NODE_SEPARATORS.split(text):
            part = part.strip()
            if not part:
                continue
            day, _sep, title = re.sub(r"[:：]", " ", part, count=1).partition(" ")
            title = title.strip()
            try:
                due_on = parse_date(day)
            except DateError as exc:
                reader.error(number, reader.column_name("milestones"), f"“{part}”: {exc}")
                return None
            if not title or len(title) > 200 or title in titles:
                reader.error(
                    number,
                    reader.column_name("milestones"),
                    _(
                        "“%(node)s”: write each time node as a date and what is done by then, "
                        "at most 200 characters, each once."
                    )
                    % {"node": part},
                )
                return None
            titles.add(title)
            nodes.append((due_on, title))
        if len(nodes) > MAX_NODES:
            reader.error(
                number,
                reader.column_name("milestones"),
                _("At most %(n)s time nodes per item.") % {"n": MAX_NODES},
            )
            return None
        return nodes

    def _parse_guides(self, reader: _Rows, number, values, seen):
        code = reader.required_text(number, values, "code")
        title = reader.required_text(number, values, "title")
        issuer = _text(values.get("issuer"))
        if "issuer" in reader.present and not issuer:
            reader.error(number, reader.column_name("issuer"), _("This cell must not be empty."))
            issuer = None
        level = reader.choice(number, values, "level", LEVEL_NAMES_ZH, Level)
        deadline = reader.date(number, values, "deadline", required=False)
        published = reader.date(number, values, "published", required=False)
        bad_dates = (deadline is None and not _blank(values.get("deadline"))) or (
            published is None and not _blank(values.get("published"))
        )
        if code and self._duplicate(reader, number, "code", code, seen):
            return None
        if None in (code, title, issuer, level) or bad_dates:
            return None
        # a ledger is a record of the past (design §4): a missing 发布日期 is unknown, never
        # today (which would put a past deadline before it); a past deadline is closed
        if deadline is not None and published is not None and deadline < published:
            reader.error(
                number,
                reader.column_name("deadline"),
                _("The deadline cannot be before the publication date."),
            )
            return None
        return {
            "row": number,
            "code": code,
            "title": title,
            "issuer": issuer or _("Not given"),
            "level": level,
            "channel": _text(values.get("channel")),
            "deadline": deadline,
            "published_on": published,
            "scope": _text(values.get("scope")),
            "conditions": _text(values.get("conditions")),
            "materials": _text(values.get("materials")),
            "units": [c for c in _SEPARATORS.split(_text(values.get("units"))) if c],
        }

    # --- cross-checks against the file and the database ----------------------------------

    def check(self) -> None:
        self.units = {u.code: u for u in Unit.objects.all()}
        self.leaders = {leader.name: leader for leader in Leader.objects.all()}
        self.channels = {c.name: c for c in Channel.objects.all()}
        file_units = self.unit_codes_seen
        file_leaders = {leader["name"] for leader in self.rows.get("leaders", [])}
        known_units = file_units | set(self.units)

        def unknown_unit(sheet_key: str, row: int, code: str, column_key: str = "unit") -> None:
            reader = self.readers[sheet_key]
            reader.error(
                row,
                reader.column_name(column_key),
                _("Unknown unit code “%(code)s”.") % {"code": code},
            )

        # unit names stay unique across the database and the file
        final_names = {code: unit.name for code, unit in self.units.items()}
        for unit in self.rows.get("units", []):
            final_names[unit["code"]] = unit["name"]
        owners = defaultdict(list)
        for code, name in final_names.items():
            owners[name].append(code)
        for unit in self.rows.get("units", []):
            if len(owners[unit["name"]]) > 1:
                others = [c for c in owners[unit["name"]] if c != unit["code"]]
                self.readers["units"].error(
                    unit["row"],
                    self.readers["units"].column_name("name"),
                    _("The name is already used by unit %(code)s.") % {"code": others[0]},
                )
            if unit["parent"] and unit["parent"] not in known_units:
                unknown_unit("units", unit["row"], unit["parent"], "parent")
            for name in unit["leaders"]:
                if name not in file_leaders and name not in self.leaders:
                    self.readers["units"].error(
                        unit["row"],
                        self.readers["units"].column_name("leader"),
                        _("Unknown leader “%(name)s”.") % {"name": name},
                    )
        self._check_unit_tree(known_units)
        for target in self.rows.get("targets", []):
            if target["unit"] not in known_units:
                unknown_unit("targets", target["row"], target["unit"])

        # channels: an unknown name is created when some row gives its level
        self.new_channels: dict[str, str] = {}
        for project in self.rows.get("projects", []):
            if project["channel"] and project["channel"] not in self.channels and project["level"]:
                self.new_channels.setdefault(project["channel"], project["level"])
        for receipt in self.rows.get("receipts", []):
            if receipt[6] and receipt[6] not in self.channels and receipt[7]:
                self.new_channels.setdefault(receipt[6], receipt[7])
        for guide in self.rows.get("guides", []):
            if guide["channel"] and guide["channel"] not in self.channels and guide["level"]:
                self.new_channels.setdefault(guide["channel"], guide["level"])

        def unknown_channel(sheet_key: str, row: int, name: str) -> None:
            reader = self.readers[sheet_key]
            reader.error(
                row,
                reader.column_name("channel"),
                _("Unknown funding channel “%(name)s”; give its level to create it.")
                % {"name": name},
            )

        for project in self.rows.get("projects", []):
            if project["unit"] not in known_units:
                unknown_unit("projects", project["row"], project["unit"])
            name = project["channel"]
            if name and name not in self.channels and name not in self.new_channels:
                unknown_channel("projects", project["row"], name)
        # receipts: codes and names the file maps to units and channels; the rest of a
        # receipt's checks is the receipt rule's (`_diff_receipts`)
        self.receipts_unmapped: set[int] = set()
        for row, unit, _amount, _on, _doc, _project, channel, _level in self.rows.get(
            "receipts", []
        ):
            if unit not in known_units:
                unknown_unit("receipts", row, unit)
                self.receipts_unmapped.add(row)
            if channel and channel not in self.channels and channel not in self.new_channels:
                unknown_channel("receipts", row, channel)
                self.receipts_unmapped.add(row)
        self._check_work_items(known_units, file_leaders)
        self._check_counterparts(known_units)
        guides = self.readers.get("guides")
        for guide in self.rows.get("guides", []):
            name = guide["channel"]
            if name and name not in self.channels and name not in self.new_channels:
                unknown_channel("guides", guide["row"], name)
            if not guide["level"]:
                level = self._level_of_channel(name) if name else ""
                if level:
                    guide["level"] = level
                else:
                    guides.error(
                        guide["row"],
                        guides.column_name("level"),
                        _("Give the level (中央、省级、市级), or a channel that has one."),
                    )
            for code in guide["units"]:
                if code not in known_units:
                    unknown_unit("guides", guide["row"], code, "units")
        # duplicate claims are errors too: look for them whatever else is wrong, so that
        # every error of the file is listed at once
        self.receipt_changes = self._diff_receipts()
        if not self.result.ok:
            return
        self.plan_counts()

    def _check_work_items(self, known_units: set[str], file_leaders: set[str]) -> None:
        """Units, leaders, the policy and its measure of each 工作事项 row must exist."""
        rows = self.rows.get("work_items", [])
        if not rows:
            return
        reader = self.readers["work_items"]
        policies = list(Policy.objects.all())
        by_name = {}
        for policy in policies:
            for name in (policy.title, policy.short_name, policy.short_name.strip("《》")):
                if name:
                    by_name[normalise_header(name)] = policy
        items = {
            code: policy_id for code, policy_id in WorkItem.objects.values_list("code", "policy_id")
        }
        measures = {(m.policy_id, m.code): m.pk for m in Measure.objects.all()}
        with_measures = {policy_id for policy_id, _code in measures}
        for row in rows:
            number = row["row"]
            for key in ("lead_unit", "co_units"):
                codes = row[key] if key == "co_units" else [row[key]]
                for code in codes:
                    if code not in known_units:
                        reader.error(
                            number,
                            reader.column_name(key),
                            _("Unknown unit code “%(code)s”.") % {"code": code},
                        )
            if row["lead_leader"] not in file_leaders and row["lead_leader"] not in self.leaders:
                reader.error(
                    number,
                    reader.column_name("lead_leader"),
                    _("Unknown leader “%(name)s”.") % {"name": row["lead_leader"]},
                )
            policy_id = None
            if row["policy"]:
                policy = by_name.get(normalise_header(row["policy"]))
                if policy is None:
                    # a policy named here that the office has not registered yet is created
                    # with this name as its title (the office completes it by form)
                    self.new_policies.setdefault(row["policy"], number)
                    row["policy_id"], row["measure_id"] = row["policy"], None
                    if row["measure"]:
                        self._measure_not_set(reader, number, row["measure"])
                    continue
                policy_id = policy.pk
            elif row["code"] in items:
                policy_id = items[row["code"]]
            elif len(documents := [p for p in policies if p.title != DECISIONS_POLICY]) == 1:
                # the one policy document (meetings' decisions are not a document's items)
                policy_id = documents[0].pk
            else:
                reader.error(
                    number,
                    reader.column_name("policy") if "policy" in reader.present else "",
                    _("Name the policy of a new work item (column 政策文件)."),
                )
                continue
            row["policy_id"] = policy_id
            row["measure_id"] = None
            if row["measure"]:
                row["measure_id"] = measures.get((policy_id, row["measure"]))
                if row["measure_id"] is not None:
                    continue
                if policy_id in with_measures:
                    reader.error(
                        number,
                        reader.column_name("measure"),
                        _("The policy has no measure “%(code)s”.") % {"code": row["measure"]},
                    )
                else:
                    self._measure_not_set(reader, number, row["measure"])

    def _measure_not_set(self, reader: _Rows, number: int, code: str) -> None:
        self.issues.append(
            Issue(
                _(
                    "The policy has no measures entered yet: the item is imported without "
                    "measure “%(code)s”; the office enters the measures by form."
                )
                % {"code": code},
                sheet=reader.title,
                row=number,
                column=reader.column_name("measure"),
                warning=True,
            )
        )

    def _check_unit_tree(self, known_units: set[str]) -> None:
        """The file's 上级单位编码 with the stored tree must not loop: the rule `save_unit`
        applies (org.tree), told with its message on each row that closes a loop."""
        if "parent" not in self.present.get("units", set()):
            return
        existing = {
            code: self._code_of(unit.parent_id) or None for code, unit in self.units.items()
        }
        proposed = {
            row["code"]: row["parent"] or None
            for row in self.rows["units"]
            if not row["parent"] or row["parent"] in known_units
        }
        looping = find_loops(existing, proposed)
        reader = self.readers["units"]
        for row in self.rows["units"]:
            if row["code"] in looping:
                reader.error(row["row"], reader.column_name("parent"), str(LOOP_MESSAGE))

    # --- what would change ---------------------------------------------------------------

    def plan_counts(self) -> None:
        """Fill result.counts by comparing each row with the database (no writes)."""
        counts = self.result.counts
        for sheet in SHEETS:
            if sheet.key in self.rows:
                counts[sheet.key] = Counts()
        self.unit_changes = self._diff_units()
        self.leader_changes = self._diff_leaders()
        self.target_changes = self._diff_targets()
        self.project_changes = self._diff_projects()
        self.work_item_changes = self._diff_work_items()
        self.guide_changes = self._diff_guides()
        if "receipts" in self.rows:
            self._count("receipts", *self.receipt_counts)
        self._count_counterparts()

    def _count(self, key: str, created: int, updated: int, unchanged: int) -> None:
        counts = self.result.counts[key]
        counts.created += created
        counts.updated += updated
        counts.unchanged += unchanged

    def _diff_units(self):
        creates, updates, unchanged = [], [], 0
        present = self.present.get("units", set())
        for row in self.rows.get("units", []):
            unit = self.units.get(row["code"])
            wanted = {"name": row["name"]}
            if "kind" in present:
                wanted["kind"] = row["kind"]
            if "parent" in present:
                wanted["parent"] = row["parent"]
            if unit is None:
                creates.append(row)
                continue
            current = {
                "name": unit.name,
                "kind": unit.kind,
                "parent": self._code_of(unit.parent_id),
            }
            if any(current[k] != v for k, v in wanted.items()):
                updates.append((unit, wanted))
            else:
                unchanged += 1
        if "units" in self.rows:
            self._count("units", len(creates), len(updates), unchanged)
        return creates, updates

    def _diff_work_items(self):
        """Rows compared with the stored items (by code): what to create, what changes. The
        columns not in the file are left as they are; time nodes are matched by title (a new
        title adds one, a new date moves it, keeping the old date)."""
        if "work_items" not in self.rows:
            return [], []
        present = self.present["work_items"]
        codes = [row["code"] for row in self.rows["work_items"]]
        items = {
            i.code: i
            for i in WorkItem.objects.filter(code__in=codes).prefetch_related(
                "assignments", "milestones"
            )
        }
        creates, updates, unchanged = [], [], 0
        for row in self.rows["work_items"]:
            item = items.get(row["code"])
            if item is None:
                creates.append(row)
                continue
            lead = next(
                (a.unit_id for a in item.assignments.all() if a.role == AssignmentRole.LEAD), None
            )
            co = sorted(a.unit_id for a in item.assignments.all() if a.role == AssignmentRole.CO)
            current = {
                "title": item.title,
                "policy_id": item.policy_id,
                "lead_leader": self.leaders[row["lead_leader"]].pk
                if row["lead_leader"] in self.leaders
                else None,
                "due_on": item.due_on,
                "lead_unit": self._code_of(lead),
            }
            wanted = {}
            if row["title"] != item.title:
                wanted["title"] = row["title"]
            if row["policy_id"] != item.policy_id:
                wanted["policy_id"] = row["policy_id"]  # an id, or the name of a new policy
            if current["lead_leader"] != item.lead_leader_id:
                wanted["lead_leader"] = row["lead_leader"]
            if row["due_on"] != item.due_on:
                wanted["due_on"] = row["due_on"]
            if row["lead_unit"] != current["lead_unit"]:
                wanted["lead_unit"] = row["lead_unit"]
            if "co_units" in present and sorted(row["co_units"]) != sorted(
                self._code_of(u) for u in co
            ):
                wanted["co_units"] = row["co_units"]
            if "measure" in present and row["measure_id"] != item.measure_id:
                wanted["measure_id"] = row["measure_id"]
            if "goal" in present and row["goal"] != item.goal:
                wanted["goal"] = row["goal"]
            if "milestones" in present:
                nodes = {m.title: m for m in item.milestones.all()}
                add = [(d, t) for d, t in row["milestones"] if t not in nodes]
                moves = {
                    nodes[t]: d
                    for d, t in row["milestones"]
                    if t in nodes and nodes[t].due_on != d and nodes[t].done_on is None
                }
                if add:
                    wanted["milestones"] = add
                if moves:
                    wanted["moves"] = moves
            if wanted:
                updates.append((item, wanted))
            else:
                unchanged += 1
        self._count("work_items", len(creates), len(updates), unchanged)
        return creates, updates

    def _code_of(self, unit_id):
        if unit_id is None:
            return ""
        if not hasattr(self, "_codes"):
            self._codes = {u.pk: code for code, u in self.units.items()}
        return self._codes.get(unit_id, "")

    def _diff_leaders(self):
        creates, updates, unchanged = [], [], 0
        title_present = "title" in self.present.get("leaders", set())
        for row in self.rows.get("leaders", []):
            leader = self.leaders.get(row["name"])
            if leader is None:
                creates.append(row)
            elif title_present and leader.title != row["title"]:
                updates.append((leader, row["title"]))
            else:
                unchanged += 1
        # oversight (分管领导) set from the units sheet
        self.oversight: dict[str, set[str]] = {}
        if "leader" in self.present.get("units", set()):
            through = Leader.oversees.through
            current = defaultdict(set)
            codes = {u.pk: c for c, u in self.units.items()}
            names = {leader.pk: n for n, leader in self.leaders.items()}
            for leader_id, unit_id in through.objects.values_list("leader_id", "unit_id"):
                current[names[leader_id]].add(codes[unit_id])
            in_file = {u["code"] for u in self.rows["units"]}
            wanted = {name: set(codes_) - in_file for name, codes_ in current.items()}
            for unit in self.rows["units"]:
                for name in unit["leaders"]:
                    wanted.setdefault(name, set()).add(unit["code"])
            self.oversight = {
                name: codes_
                for name, codes_ in wanted.items()
                if codes_ != current.get(name, set())
            }
            changed_existing = {n for n in self.oversight if n in self.leaders}
            updated_names = {leader.name for leader, _t in updates}
            moved = [
                row
                for row in self.rows.get("leaders", [])
                if row["name"] in changed_existing and row["name"] not in updated_names
            ]
            unchanged -= len(moved)
            updates_extra = len(moved)
        else:
            updates_extra = 0
        if "leaders" in self.rows:
            self._count("leaders", len(creates), len(updates) + updates_extra, unchanged)
        return creates, updates

    def _diff_targets(self):
        """Each row is compared with the target in force on its effective date (design §4):
        the first row of a new target creates it (in force from 1 January), a row whose
        amount differs is a revision from its date, anything else is unchanged. Rows of one
        target are taken in the order of their dates, each seeing the revisions before it."""
        rows = self.rows.get("targets", [])
        codes = {u.pk: c for c, u in self.units.items()}
        current = {(codes[t.unit_id], t.year): t for t in Target.objects.all()}
        history: dict[int, list] = defaultdict(list)
        for target_id, pk, on, old, new in TargetRevision.objects.order_by("pk").values_list(
            "target_id", "pk", "effective_on", "old_amount", "new_amount"
        ):
            history[target_id].append((pk, on, old, new))
        groups: dict[tuple, list] = defaultdict(list)
        for row in rows:
            groups[(row["unit"], row["year"])].append(row)
        creates, revisions, unchanged = [], [], 0
        reader = self.readers.get("targets")
        for key, group in groups.items():
            group.sort(key=lambda row: row["effective"])
            target = current.get(key)
            if target is None:
                first = group.pop(0)
                creates.append(first)
                original, known = first["amount"], []
                if first["effective_given"] and first["effective"] != dt.date(key[1], 1, 1):
                    self.issues.append(
                        Issue(
                            _("A new target is in force from 1 January; the date is not used."),
                            sheet=reader.title,
                            row=first["row"],
                            column=reader.column_name("effective"),
                            warning=True,
                        )
                    )
            else:
                past = history.get(target.pk, [])
                original = past[0][2] if past else target.amount
                known = [(on, pk, new) for pk, on, _old, new in past]
            for row in group:
                in_force = amount_in_force(original, known, row["effective"])
                if in_force == row["amount"]:
                    unchanged += 1
                    continue
                # planned revisions sort after every saved one of the same day
                known.append((row["effective"], (1 << 62) + len(known), row["amount"]))
                revisions.append((key, row, in_force))
        if "targets" in self.rows:
            self._count("targets", len(creates), len(revisions), unchanged)
        return creates, revisions

    #: the project columns an update changes when the file has them
    PROJECT_FIELDS = (
        "channel",
        "level",
        "requested",
        "stage",
        "applied_on",
        "owner",
        "plan_year",
        "total_investment",
        "description",
        "follow_up",
    )

    def _diff_projects(self):
        current = {p.code: p for p in Project.objects.all()}
        present = self.present.get("projects", set())
        creates, updates, unchanged = [], [], 0
        for row in self.rows.get("projects", []):
            project = current.get(row["code"])
            if project is None:
                creates.append(row)
                continue
            wanted = {"name": row["name"], "unit": row["unit"]}
            for key in self.PROJECT_FIELDS:
                if key in present and row[key] is not UNKNOWN_PERSON:
                    wanted[key] = row[key]
            channel = self._channel_name(project.channel_id)
            have = {
                "name": project.name,
                "unit": self._code_of(project.unit_id),
                "channel": channel,
                "level": project.level,
                "requested": project.requested,
                "stage": project.stage,
                "applied_on": project.applied_on,
                "owner": project.owner,
                "plan_year": project.plan_year,
                "total_investment": project.total_investment,
                "description": project.description,
                "follow_up": project.follow_up_id,
            }
            if any(have[k] != v for k, v in wanted.items()):
                updates.append((project, wanted))
            else:
                unchanged += 1
        if "projects" in self.rows:
            self._count("projects", len(creates), len(updates), unchanged)
        return creates, updates

    GUIDE_FIELDS = (
        "title",
        "issuer",
        "level",
        "channel",
        "deadline",
        "published_on",
        "scope",
        "conditions",
        "materials",
    )

    def _diff_guides(self):
        """Guides by code: new ones, changed ones (only the columns the file has), and their
        units when the file names them."""
        rows = self.rows.get("guides", [])
        present = self.present.get("guides", set())
        current = {
            g.code: g
            for g in Guide.objects.filter(code__in=[r["code"] for r in rows]).prefetch_related(
                "units"
            )
        }
        column_of = {"published_on": "published"}
        creates, updates, unchanged = [], [], 0
        for row in rows:
            guide = current.get(row["code"])
            if guide is None:
                creates.append(row)
                if row["deadline"] is not None and row["deadline"] < self.today:
                    # a new guide already closed: flagged, as on the guide form
                    reader = self.readers["guides"]
                    self.issues.append(
                        Issue(
                            _("The deadline %(date)s has already passed.")
                            % {"date": row["deadline"].isoformat()},
                            sheet=reader.title,
                            row=row["row"],
                            column=reader.column_name("deadline"),
                            warning=True,
                        )
                    )
                continue
            wanted = {
                key: row[key]
                for key in self.GUIDE_FIELDS
                if column_of.get(key, key) in present or key == "title"
            }
            if wanted.get("published_on", "") is None:
                wanted.pop("published_on")  # a blank date is unknown: the known one stays
            have = {
                "title": guide.title,
                "issuer": guide.issuer,
                "level": guide.level,
                "channel": self._channel_name(guide.channel_id),
                "deadline": guide.deadline,
                "published_on": guide.published_on,
                "scope": guide.scope,
                "conditions": guide.conditions,
                "materials": guide.materials,
            }
            units = None
            if "units" in present:
                units = sorted(row["units"])
                if units != sorted(u.code for u in guide.units.all()):
                    wanted["units"] = units
            if any(have.get(k) != v for k, v in wanted.items() if k != "units") or (
                "units" in wanted
            ):
                updates.append((guide, wanted))
            else:
                unchanged += 1
        if "guides" in self.rows:
            self._count("guides", len(creates), len(updates), unchanged)
        return creates, updates

    def _channel_name(self, channel_id) -> str:
        if channel_id is None:
            return ""
        if not hasattr(self, "_channel_names"):
            self._channel_names = {c.pk: n for n, c in self.channels.items()}
        return self._channel_names.get(channel_id, "")

    def _receipt_book(self) -> ReceiptBook:
        """The receipt rule's book keyed as the file writes things (unit and project codes,
        channel names): the projects as they will be after this import (the database's,
        with this file's 项目 sheet over them), the channels' levels, the office's
        confirmations. The receipts already recorded are added by `_diff_receipts` as it
        reads them."""
        book = ReceiptBook()
        for code, unit, stage, channel, level, name in Project.objects.values_list(
            "code", "unit__code", "stage", "channel__name", "level", "name"
        ):
            book.projects[code] = ProjectFacts(unit, stage, channel or None, level, name)
        present = self.present.get("projects", set())
        for row in self.rows.get("projects", []):
            known = book.projects.get(row["code"])
            channel = row["channel"] if "channel" in present or known is None else known.channel
            level = row["level"] if "level" in present or known is None else known.level
            book.projects[row["code"]] = ProjectFacts(
                row["unit"], row["stage"], channel or None, level or "", row["name"]
            )
        book.channel_levels = {name: c.level for name, c in self.channels.items()}
        book.channel_levels.update(self.new_channels)
        codes = {u.pk: c for c, u in self.units.items()}
        for key, unit_id in ClaimReview.units.through.objects.values_list(
            "claimreview__doc_key", "unit_id"
        ):
            book.confirmed.setdefault(key, set()).add(codes.get(unit_id, ""))
        return book

    def _kept_out(self, unit_ids: dict[int, str]) -> dict[tuple, tuple[str, dt.datetime]]:
        """Receipts no longer in effect (voided, corrected, rejected as a double claim) by
        unit+date+amount+文号: a ledger that still holds one does not bring it back."""
        kept_out = {}
        for unit_id, on, amount, doc, state, when in (
            Receipt.every.exclude(state=ReceiptState.ACTIVE)
            .annotate(when=Max("corrections__decided_at"))
            .values_list("unit_id", "received_on", "amount", "doc_no", "state", "when")
        ):
            kept_out[(unit_ids[unit_id], on, amount, doc)] = (state, when)
        return kept_out

    def _kept_out_message(self, state: str, when: dt.datetime | None) -> str:
        date = timezone.localtime(when).date().isoformat() if when else "—"
        if state == ReceiptState.REJECTED:
            return _(
                "The office rejected this receipt as a double claim on %(date)s; it is not "
                "imported again."
            ) % {"date": date}
        if state == ReceiptState.VOIDED:
            return _("This receipt was voided on %(date)s; it is not imported again.") % {
                "date": date
            }
        return _(
            "This receipt was corrected on %(date)s; the corrected receipt stands and this row "
            "is not imported again."
        ) % {"date": date}

    RULE_COLUMNS = {
        "unit": "unit",
        "amount": "amount",
        "received_on": "date",
        "doc_no": "doc_no",
        "project": "project",
        "channel": "channel",
        "level": "level",
    }

    def _diff_receipts(self):
        """Receipts by unit+date+amount+文号 (an exact repeat is unchanged or updated). Every
        new row goes through the receipt rule (`funding.receipt_rule.check_receipt`, the
        one every path calls): its refusals are errors in the column at fault (a duplicate of
        a receipt already recorded or of an earlier row, the project of another unit or not
        approved…), its completions what is written (channel and level from the project). A
        new row whose 文号 another unit recorded is a doubtful claim: a warning. A row of a
        receipt no longer in effect (voided, corrected, rejected) is not imported again (a
        warning)."""
        rows = self.rows.get("receipts", [])
        self.receipt_counts = (0, 0, 0)
        if not rows:
            return [], []
        present = self.present["receipts"]
        unit_ids = {u.pk: c for c, u in self.units.items()}
        book = self._receipt_book()
        existing = {}
        for (
            pk,
            unit_id,
            on,
            amount,
            doc,
            doc_key,
            project_code,
            channel_id,
            level,
        ) in receipts_colliding_with(rows, {c: u.pk for c, u in self.units.items()}):
            unit = unit_ids[unit_id]
            existing[(unit, on, amount, doc)] = (
                pk,
                project_code or "",
                self._channel_name(channel_id),
                level,
            )
            if doc_key:
                book.recorded.setdefault((unit, doc_key, amount), Earlier(on, amount, doc))
                book.key_units.setdefault(doc_key, set()).add(unit)
        kept_out = self._kept_out(unit_ids)
        reader = self.readers["receipts"]
        creates, updates, unchanged = [], [], 0

        def refused(row: int, exc: ReceiptRefused) -> None:
            message = exc.messages[0]
            if exc.earlier is not None and exc.earlier.row is not None:
                message = _(
                    "Same unit, document number and amount as row %(row)s: the same money "
                    "cannot be recorded twice."
                ) % {"row": exc.earlier.row}
            reader.error(row, reader.column_name(self.RULE_COLUMNS[exc.field]), message)

        for item in rows:
            row, unit, amount, on, doc, project, channel, level = item
            if row in self.receipts_unmapped:
                continue
            have = existing.get((unit, on, amount, doc))
            if have is None:
                gone = kept_out.get((unit, on, amount, doc))
                if gone is not None:
                    self.issues.append(
                        Issue(
                            self._kept_out_message(*gone),
                            sheet=reader.title,
                            row=row,
                            column=reader.column_name("doc_no"),
                            warning=True,
                        )
                    )
                    unchanged += 1
                    continue
                try:
                    checked = check_receipt(
                        book=book,
                        unit=unit,
                        amount=amount,
                        received_on=on,
                        doc_no=doc,
                        project=project or None,
                        channel=channel or None,
                        level=level,
                        today=self.today,
                    )
                except ReceiptRefused as exc:
                    refused(row, exc)
                    continue
                book.add(checked, row=row)
                creates.append(
                    (row, unit, amount, on, doc, project, checked.channel or "", checked.level)
                )
                continue
            try:
                channel, level = complete_links(
                    book=book,
                    unit=unit,
                    project=project or None,
                    channel=channel or None,
                    level=level,
                )
            except ReceiptRefused as exc:
                refused(row, exc)
                continue
            channel = channel or ""
            wanted = {}
            if "project" in present and have[1] != project:
                wanted["project"] = project
            if "channel" in present and have[2] != channel:
                wanted["channel"] = channel
            if "level" in present and have[3] != level:
                wanted["level"] = level
            if wanted:
                updates.append((have[0], wanted))
            else:
                unchanged += 1
        self._warn_doubtful(creates, book, reader)
        self.receipt_counts = (len(creates), len(updates), unchanged)
        return creates, updates

    def _warn_doubtful(self, creates: list, book: ReceiptBook, reader) -> None:
        """A warning on each new receipt whose 文号 another unit recorded too (design §3.1),
        in this file or before, unless the office confirmed the claim for all those units:
        the rule's `sharing` once the whole file is in the book."""
        names = {code: unit.name for code, unit in self.units.items()}
        order = {code: unit.sort_order for code, unit in self.units.items()}
        names.update({u["code"]: u["name"] for u in self.rows.get("units", [])})
        for item in creates:
            others = book.sharing(item[1], normalise_doc_no(item[4]))
            if not others:
                continue
            others = sorted(others, key=lambda c: (order.get(c, 1 << 30), c))
            self.issues.append(
                Issue(
                    _(
                        "Document number %(doc_no)s is also recorded by %(units)s: a doubtful "
                        "claim. It is counted, and listed as 待核实 until the office confirms "
                        "it or rejects a receipt."
                    )
                    % {
                        "doc_no": item[4],
                        "units": "、".join(f"{names.get(c, c)}（{c}）" for c in others),
                    },
                    sheet=reader.title,
                    row=item[0],
                    column=reader.column_name("doc_no"),
                    warning=True,
                )
            )

    def _level_of_channel(self, name: str) -> str:
        if name in self.channels:
            return self.channels[name].level
        return self.new_channels.get(name, "")

    # --- writing -------------------------------------------------------------------------

    def write(self, user) -> None:
        """Write the checked plan through the bulk services of each app, with one audit batch;
        call inside one transaction."""
        audit = AuditBatch(user=user)
        self.result.batch = audit.batch
        if self.new_channels:
            self.channels.update(
                bulk_save_channels(user=user, audit=audit, levels=self.new_channels)
            )
        creates, updates = self.leader_changes
        self.leaders.update(
            bulk_save_leaders(user=user, audit=audit, creates=creates, updates=updates)
        )
        creates, updates = self.unit_changes
        self.units.update(bulk_save_units(user=user, audit=audit, creates=creates, updates=updates))
        unit_id = {code: unit.pk for code, unit in self.units.items()}
        set_oversight(
            user=user,
            audit=audit,
            oversight={
                self.leaders[name]: [unit_id[code] for code in codes]
                for name, codes in self.oversight.items()
            },
        )
        self._write_targets(user, audit, unit_id)
        self._write_projects(user, audit, unit_id)
        self._write_receipts(user, audit, unit_id)
        self._write_work_items(user, audit, unit_id)
        self._write_guides(user, audit, unit_id)
        self._write_counterparts(user, audit, unit_id)
        counts = {
            key: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for key, c in self.result.counts.items()
        }
        audit.write(
            "ledger.imported",
            after={"file": self.result.file_name, "sha256": self.result.sha256, "counts": counts},
            object_type="ledger.file",
            object_repr=self.result.file_name,
        )

    def _write_work_items(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, updates = self.work_item_changes
        if not creates and not updates:
            return
        leader_id = {name: leader.pk for name, leader in self.leaders.items()}
        changes = []
        for item, wanted in updates:
            values = {k: v for k, v in wanted.items() if k not in ("lead_leader", "lead_unit")}
            if "lead_leader" in wanted:
                values["lead_leader_id"] = leader_id[wanted["lead_leader"]]
            if "lead_unit" in wanted:
                values["lead_unit_id"] = unit_id[wanted["lead_unit"]]
            if "co_units" in wanted:
                values["co_unit_ids"] = [unit_id[c] for c in values.pop("co_units")]
            changes.append((item, values))
        bulk_save_work_items(
            user=user,
            audit=audit,
            new_policies=list(self.new_policies),
            creates=[
                {
                    "code": row["code"],
                    "title": row["title"],
                    "goal": row["goal"],
                    "policy_id": row["policy_id"],
                    "measure_id": row["measure_id"],
                    "lead_leader_id": leader_id[row["lead_leader"]],
                    "lead_unit_id": unit_id[row["lead_unit"]],
                    "co_unit_ids": [unit_id[c] for c in row["co_units"]],
                    "due_on": row["due_on"],
                    "milestones": row["milestones"],
                }
                for row in creates
            ],
            updates=changes,
            reason=(_("Ledger import %(file)s") % {"file": self.result.file_name})[:300],
        )

    def _channel_id(self, name: str) -> int | None:
        return self.channels[name].pk if name else None

    def _write_targets(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, revisions = self.target_changes
        default_reason = _("Ledger import %(file)s") % {"file": self.result.file_name}
        bulk_set_targets(
            user=user,
            audit=audit,
            creates=[(unit_id[row["unit"]], row["year"], row["amount"]) for row in creates],
            revisions=[
                (
                    unit_id[code],
                    year,
                    row["amount"],
                    row["effective"],
                    (row["reason"] or default_reason)[:300],
                )
                for (code, year), row, _in_force in revisions
            ],
        )

    def _write_projects(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, updates = self.project_changes
        # the row's values a Project takes as they are (channel and person become ids)
        fields = (
            "code",
            "name",
            *(k for k in self.PROJECT_FIELDS if k not in ("channel", "follow_up")),
        )
        changes = []
        for project, wanted in updates:
            values = {k: v for k, v in wanted.items() if k not in ("unit", "channel", "follow_up")}
            if "follow_up" in wanted:
                values["follow_up_id"] = wanted["follow_up"]
            if "unit" in wanted:
                values["unit_id"] = unit_id[wanted["unit"]]
            if "channel" in wanted:
                values["channel_id"] = self._channel_id(wanted["channel"])
            changes.append((project, values))
        bulk_save_projects(
            user=user,
            audit=audit,
            creates=[
                {
                    **{key: row[key] for key in fields},
                    "unit_id": unit_id[row["unit"]],
                    "channel_id": self._channel_id(row["channel"]),
                    "follow_up_id": None
                    if row["follow_up"] is UNKNOWN_PERSON
                    else row["follow_up"],
                }
                for row in creates
            ],
            updates=changes,
            on=self.today,
        )

    def _write_guides(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, updates = self.guide_changes
        if not creates and not updates:
            return

        def values(row: dict) -> dict:
            out = {k: v for k, v in row.items() if k in self.GUIDE_FIELDS and k != "channel"}
            if "channel" in row:
                out["channel_id"] = self._channel_id(row["channel"])
            return out

        bulk_save_guides(
            user=user,
            audit=audit,
            creates=[
                ({"code": row["code"], **values(row)}, [unit_id[c] for c in row["units"]])
                for row in creates
            ],
            updates=[
                (
                    guide,
                    values(wanted),
                    [unit_id[c] for c in wanted["units"]] if "units" in wanted else None,
                )
                for guide, wanted in updates
            ],
        )

    def _write_receipts(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, updates = self.receipt_changes
        projects = dict(Project.objects.values_list("code", "pk"))
        if self.progress and len(creates) >= PROGRESS_EVERY:
            self.progress(_("writing"), len(creates))
        changes = []
        for pk, wanted in updates:
            values = {}
            if "project" in wanted:
                values["project_id"] = projects[wanted["project"]] if wanted["project"] else None
            if "channel" in wanted:
                values["channel_id"] = self._channel_id(wanted["channel"])
            if "level" in wanted:
                values["level"] = wanted["level"]
            changes.append((pk, values))
        bulk_record_receipts(
            user=user,
            audit=audit,
            creates=[
                (
                    unit_id[unit],
                    projects[project] if project else None,
                    amount,
                    on,
                    doc,
                    self._channel_id(channel),
                    level,
                )
                for _row, unit, amount, on, doc, project, channel, level in creates
            ],
            updates=changes,
            unit_names={unit.pk: unit.name for unit in self.units.values()},
            # the 项目 sheet's stages stand; money advances only the projects it leaves out
            stages_given=frozenset(projects[row["code"]] for row in self.rows.get("projects", [])),
        )
