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
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.permissions import Role, role_of
from common.services import large_write_cache, require

from .cells import PROGRESS_EVERY, _Rows
from .changes import Changes, Counts
from .checks import CrossChecks
from .counterparts import CounterpartSheet
from .format import Issue, LedgerError
from .parsing import SheetRows
from .reader import open_ledger
from .receipts import ReceiptRows
from .writing import Writes


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
    return _import(Path(path), user=user, name=name, dry_run=dry_run, progress=progress)


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


class _Plan(SheetRows, CrossChecks, Changes, ReceiptRows, Writes, CounterpartSheet):
    """Parsed rows of every sheet, checked against each other and the database."""

    def __init__(self, result: ImportResult, progress):
        self.result, self.issues, self.progress = result, result.issues, progress
        self.today: dt.date = timezone.localdate()
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
