"""The one rule of a receipt (design §10 "one rule per record"): `check_receipt`.

Every path that records money — `services.record_receipt` (the workbench and receipt forms),
the API (through it), `services.bulk_record_receipts` and the ledger import — sends each record
through `check_receipt`, which refuses what may not be recorded and completes the rest:

- scope: the unit is one the actor may record for;
- the amount is above zero, the date one of a thing that happened;
- the project exists, belongs to the unit and is not 未获批;
- channel and level come from the project when the record names none (one fact once,
  design §9), the level from the channel when still missing;
- the 文号 key (`docno.normalise_doc_no`);
- the same unit, 文号 key and amount as a receipt in effect (or one earlier in the same batch)
  is a duplicate: refused;
- another unit recording the same key, unless the office confirmed it for all of them, is a
  doubtful claim: accepted and flagged.

The rule is pure: what it needs to know of the database comes in a `ReceiptBook`, filled once
(a few queries for one receipt, one pass for a ledger of 100,000), so the bulk paths call the
same rule without a query per row. Keys are whatever the caller uses consistently — ids for
the services, codes and names for the ledger.
"""

import datetime as dt
from collections.abc import Container, Hashable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.money import format_amount
from common.validation import InputError, check_event_date

from .choices import Level, Stage
from .docno import normalise_doc_no


class ReceiptRefused(ValidationError):
    """A record the rule refuses: `field` names the field at fault (unit, amount,
    received_on, doc_no, project, channel, level); a duplicate carries the receipt it repeats
    as `earlier`."""

    def __init__(self, message: str, *, field: str, code: str, earlier=None):
        super().__init__(message, code=code)
        self.field = field
        self.earlier = earlier


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What the rule reads of a project."""

    unit: Hashable
    stage: str
    channel: Hashable | None
    level: str
    name: str


@dataclass(frozen=True, slots=True)
class Earlier:
    """A receipt already in effect, or accepted earlier in the same batch (`row` of the
    ledger, when there is one)."""

    received_on: dt.date
    amount: int
    doc_no: str
    row: int | None = None


@dataclass(frozen=True, slots=True)
class CheckedReceipt:
    """A record the rule accepted, completed: what is stored."""

    unit: Hashable
    project: Hashable | None
    amount: int
    received_on: dt.date
    doc_no: str
    doc_key: str
    channel: Hashable | None
    level: str
    note: str
    doubtful: bool = False


@dataclass
class ReceiptBook:
    """What the rule knows of the database, prefetched.

    `units`: the units the actor may record for (None: every unit, the office); `projects`:
    project key → facts; `channel_levels`: channel key → level; `recorded`: (unit, 文号 key,
    amount) → the earlier receipt in effect; `key_units`: 文号 key → units whose receipts in
    effect carry it; `confirmed`: 文号 key → units the office confirmed it funds."""

    units: Container | None = None
    projects: dict = field(default_factory=dict)
    channel_levels: dict = field(default_factory=dict)
    recorded: dict = field(default_factory=dict)
    key_units: dict = field(default_factory=dict)
    confirmed: dict = field(default_factory=dict)

    def add(self, receipt: CheckedReceipt, row: int | None = None) -> None:
        """Count an accepted receipt of the batch: a later record repeating it is a
        duplicate, and another unit's record of its 文号 a doubtful claim."""
        if receipt.doc_key:
            self.recorded.setdefault(
                (receipt.unit, receipt.doc_key, receipt.amount),
                Earlier(receipt.received_on, receipt.amount, receipt.doc_no, row),
            )
            self.key_units.setdefault(receipt.doc_key, set()).add(receipt.unit)

    def sharing(self, unit: Hashable, doc_key: str) -> set:
        """The other units whose receipts carry `doc_key`, when that makes a doubtful claim
        (not confirmed by the office for all of them); empty otherwise."""
        if not doc_key:
            return set()
        units = self.key_units.get(doc_key, set()) | {unit}
        if len(units) < 2 or units <= self.confirmed.get(doc_key, set()):
            return set()
        return units - {unit}


def duplicate_message(received_on: dt.date, amount: int, doc_no: str) -> str:
    """What a duplicate claim is told: the receipt already recorded (date, amount, 文号)."""
    return _(
        "This unit already recorded this money on %(date)s: %(amount)s, document number "
        "%(doc_no)s. The same document number and amount cannot be recorded twice."
    ) % {"date": received_on.isoformat(), "amount": format_amount(amount), "doc_no": doc_no}


def rejected_project_message(name: str) -> str:
    return _(
        "“%(name)s” is marked as not approved; money cannot arrive on it. Move it back "
        "to the reserve first, or record the receipt without the project."
    ) % {"name": name}


def complete_links(
    *,
    book: ReceiptBook,
    unit: Hashable,
    project: Hashable | None,
    channel: Hashable | None,
    level: str,
) -> tuple[Hashable | None, str]:
    """The project part of the rule: (channel, level) as stored, or `ReceiptRefused`. Also
    for a receipt in effect whose project changes (a ledger naming another project)."""
    if project is not None:
        facts = book.projects.get(project)
        if facts is None:
            raise ReceiptRefused(
                _("Unknown project code “%(code)s”.") % {"code": project},
                field="project",
                code="project",
            )
        if facts.unit != unit:
            raise ReceiptRefused(
                _("The project belongs to another unit."), field="project", code="project"
            )
        if facts.stage == Stage.REJECTED:
            raise ReceiptRefused(
                rejected_project_message(facts.name), field="project", code="rejected"
            )
        # one fact once (design §9): money on a project takes the project's channel and level
        if channel is None:
            channel = facts.channel
        level = level or facts.level
    if channel is not None and not level:
        level = book.channel_levels.get(channel, "")
    if level and level not in Level.values:
        raise ReceiptRefused(
            _("Unknown level “%(level)s”.") % {"level": level}, field="level", code="level"
        )
    return channel, level


def check_receipt(
    *,
    book: ReceiptBook,
    unit: Hashable,
    amount: int | None,
    received_on: dt.date,
    doc_no: str = "",
    project: Hashable | None = None,
    channel: Hashable | None = None,
    level: str = "",
    note: str = "",
    today: dt.date,
) -> CheckedReceipt:
    """The receipt as it is to be stored, or `ReceiptRefused` saying why not (see the
    module's docstring)."""
    if book.units is not None and unit not in book.units:
        raise ReceiptRefused(
            _("You may record receipts for your own unit only."), field="unit", code="scope"
        )
    if amount is None or amount <= 0:
        raise ReceiptRefused(
            _("The amount must be greater than zero."), field="amount", code="amount"
        )
    try:
        check_event_date(received_on, today)
    except InputError as exc:
        raise ReceiptRefused(str(exc), field="received_on", code="date") from None
    channel, level = complete_links(
        book=book, unit=unit, project=project, channel=channel, level=level
    )
    doc_no = (doc_no or "").strip()
    doc_key = normalise_doc_no(doc_no)
    if doc_key:
        earlier = book.recorded.get((unit, doc_key, amount))
        if earlier is not None:
            raise ReceiptRefused(
                duplicate_message(earlier.received_on, earlier.amount, earlier.doc_no),
                field="doc_no",
                code="duplicate",
                earlier=earlier,
            )
    return CheckedReceipt(
        unit=unit,
        project=project,
        amount=amount,
        received_on=received_on,
        doc_no=doc_no,
        doc_key=doc_key,
        channel=channel,
        level=level,
        note=note,
        doubtful=bool(book.sharing(unit, doc_key)),
    )
