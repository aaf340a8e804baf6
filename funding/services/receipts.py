"""Writes to receipts (到位资金) through the receipt rule, and the office's confirmation
of a doubtful claim."""

import datetime as dt
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditBatch, record, snapshot
from audit.versions import StaleObjectError
from common.money import format_amount
from common.permissions import CHANGE
from common.querysets import ALL, unit_scope
from common.services import indexes_built_after, insert_rows, new_ids
from org.models import Unit
from org.services import ensure_unit_access

from .. import rollup_triggers
from ..choices import Stage
from ..docno import normalise_doc_no
from ..models import (
    Channel,
    ClaimReview,
    Project,
    Receipt,
)
from ..querysets import receipt_book
from ..receipt_rule import (
    CheckedReceipt,
    check_receipt,
    complete_links,
)
from .base import _require_office
from .projects import fund_project


def _record_scope(user):
    """The units `user` may record receipts for, as the receipt rule takes them (None: all)."""
    if user is None:
        return None
    scope = unit_scope(user, CHANGE)
    return None if scope == ALL else set(scope)


def checked_receipt(
    *,
    user,
    unit: Unit,
    amount: int,
    received_on: dt.date,
    doc_no: str,
    project: Project | None,
    channel: Channel | None,
    level: str,
    note: str,
    exclude: int | None = None,
) -> CheckedReceipt:
    """The receipt rule (`receipt_rule.check_receipt`) for one record, its book read for
    this unit and 文号 only (`exclude`: a receipt being corrected, left out)."""
    book = receipt_book(
        exclude=exclude,
        units=_record_scope(user),
        unit_ids=[unit.pk],
        doc_keys=[normalise_doc_no(doc_no)],
        project_ids=[project.pk] if project is not None else [],
        channel_ids=[channel.pk] if channel is not None else [],
    )
    return check_receipt(
        book=book,
        unit=unit.pk,
        amount=amount,
        received_on=received_on,
        doc_no=doc_no,
        project=project.pk if project is not None else None,
        channel=channel.pk if channel is not None else None,
        level=level,
        note=note,
        today=timezone.localdate(),
    )


def store_receipt(*, user, checked: CheckedReceipt, corrects: "Receipt | None" = None) -> Receipt:
    """Store a receipt the rule accepted, audited; money on a project advances it."""
    receipt = Receipt.objects.create(
        unit_id=checked.unit,
        received_on=checked.received_on,
        amount=checked.amount,
        doc_no=checked.doc_no,
        doc_key=checked.doc_key,
        project_id=checked.project,
        channel_id=checked.channel,
        level=checked.level,
        note=checked.note,
        corrects=corrects,
    )
    record("funding.receipt.created", receipt, after=snapshot(receipt), user=user)
    if receipt.project_id is not None:
        fund_project(user=user, project=receipt.project, receipt=receipt)
    receipt.doubtful = checked.doubtful
    return receipt


def lock_unit_receipts(unit_id: int) -> None:
    """One writer of a unit's receipts at a time, so two concurrent entries cannot both pass
    the duplicate check."""
    list(Unit.objects.select_for_update().filter(pk=unit_id).values_list("pk", flat=True))


@transaction.atomic
def record_receipt(
    *,
    user,
    unit: Unit,
    amount: int,
    received_on: dt.date,
    doc_no: str = "",
    project: Project | None = None,
    channel: Channel | None = None,
    level: str = "",
    note: str = "",
    repeat_ok: bool = False,
) -> tuple[Receipt, bool]:
    """Record secured money through the receipt rule (`receipt_rule.check_receipt`).

    The same unit recording the same normalised 文号 with the same amount again is a
    duplicate (design §3.1) and refused, naming the receipt already there. `repeat_ok` is for
    loaders that may run twice (the demo, like a re-imported ledger): an exact repeat
    (unit + date + amount + 文号) then returns the existing receipt unchanged. A receipt
    without 文号 repeated exactly is always returned unchanged. Another unit recording the
    same 文号 is accepted: a doubtful claim (`receipt.doubtful`), listed by
    `querysets.doubtful_claims`.
    """
    ensure_unit_access(user, unit)
    doc_no = (doc_no or "").strip()
    lock_unit_receipts(unit.pk)
    existing = Receipt.objects.filter(
        unit=unit, received_on=received_on, amount=amount, doc_no=doc_no
    ).first()
    if existing is not None and (repeat_ok or not normalise_doc_no(doc_no)):
        return existing, False
    checked = checked_receipt(
        user=user,
        unit=unit,
        amount=amount,
        received_on=received_on,
        doc_no=doc_no,
        project=project,
        channel=channel,
        level=level,
        note=note,
    )
    return store_receipt(user=user, checked=checked), True


@transaction.atomic
def confirm_claim(
    *, user, doc_key: str, seen: Collection[int] | None = None, note: str = ""
) -> ClaimReview:
    """The office confirms a doubtful claim: one allocation document funds every unit that
    recorded it. `seen` are the ids of the receipts the office looked at; if the claim has
    changed since (a receipt added or removed), nothing is confirmed."""
    _require_office(user)
    review = ClaimReview.objects.select_for_update().filter(doc_key=doc_key).first()
    receipts = list(Receipt.objects.filter(doc_key=doc_key).order_by("received_on", "pk"))
    units = sorted({r.unit_id for r in receipts})
    if not doc_key or len(units) < 2:
        raise ValidationError(
            _("No other unit recorded this document number (any more): nothing to confirm."),
            code="not_doubtful",
        )
    if seen is not None and set(seen) != {r.pk for r in receipts}:
        raise StaleObjectError(
            _(
                "The receipts of this document number changed while you were reading them. "
                "Reload the page, check them again, then confirm."
            ),
            code="stale",
        )
    note = note.strip()[:300]
    if review is None:
        review = ClaimReview(doc_key=doc_key, version=0)
        before = None
    else:
        before = {**snapshot(review), "units": sorted(review.units.values_list("pk", flat=True))}
    review.doc_no = receipts[0].doc_no[:100]
    review.note = note
    review.decided_at = timezone.now()
    review.decided_by = user
    review.version += 1
    review.save()
    review.units.set(units)
    record(
        "funding.claim.confirmed",
        review,
        before=before,
        after={**snapshot(review), "units": units},
        user=user,
    )
    return review


RECEIPT_COLUMNS = [
    "unit_id",
    "project_id",
    "amount",
    "received_on",
    "doc_no",
    "channel_id",
    "level",
    "note",
    "version",
    "doc_key",
]


def bulk_record_receipts(
    *,
    user,
    audit: AuditBatch,
    creates: list[tuple],
    updates: list[tuple[int, dict]],
    unit_names: dict[int, str],
    stages_given: frozenset[int] = frozenset(),
) -> None:
    """Record receipts `(unit id, project id, amount, received on, 文号, channel id, level)`
    through the receipt rule (`receipt_rule.check_receipt`, its book read once for the
    batch: no query per row), which refuses a bad or duplicate one (a later one of the batch
    repeating an earlier one too) and completes channel, level and the 文号 key, as
    `record_receipt` does; they are written through raw batched INSERTs (a county ledger
    holds ~100,000). Others change (`(receipt id, {"project_id"?, "channel_id"?,
    "level"?})`), the project part of the rule applied to them. One audit event per
    receipt; `unit_names` (id → name) names them. A project that receives money advances to
    到位 (`fund_project`, its events in the same batch), but for those in `stages_given`,
    whose stage the caller sets itself (a ledger's 项目 sheet: importing the same file
    again must change nothing)."""
    _require_office(user)
    today = timezone.localdate()
    # only the 文号 keys the batch names: the rule compares a receipt with those alone, so the
    # check costs what the batch holds, not what the database does (issue 21)
    book = (
        receipt_book(
            unit_ids={row[0] for row in creates},
            doc_keys={normalise_doc_no(row[4]) for row in creates},
        )
        if creates
        else None
    )
    rows = []
    for unit, project, amount, on, doc, channel, level in creates:
        checked = check_receipt(
            book=book,
            unit=unit,
            amount=amount,
            received_on=on,
            doc_no=doc,
            project=project,
            channel=channel,
            level=level,
            today=today,
        )
        book.add(checked)
        rows.append(
            (
                unit,
                checked.project,
                amount,
                checked.received_on,
                checked.doc_no,
                checked.channel,
                checked.level,
                "",
                1,
                checked.doc_key,
            )
        )
    last_id = Receipt.objects.aggregate(last=Max("pk"))["last"] or 0
    with (
        rollup_triggers.bulk_insert(connection, last_id),  # the rollups, added up once
        indexes_built_after(Receipt, len(rows)),
    ):
        insert_rows(Receipt, RECEIPT_COLUMNS, rows)
    names = ["id", *RECEIPT_COLUMNS]
    iso: dict[dt.date, str] = {}  # a year of days among 100,000 receipts
    funded: dict[int, tuple[dt.date, int]] = {}  # project id → its first new receipt
    for pk, row in zip(
        new_ids(Receipt, last_id, RECEIPT_COLUMNS, rows, (0, 3, 2, 4)), rows, strict=True
    ):
        if row[1] is not None:
            funded[row[1]] = min(funded.get(row[1], (row[3], pk)), (row[3], pk))
        receipt = dict(zip(names, (pk, *row), strict=True))
        on = iso.get(row[3]) or iso.setdefault(row[3], row[3].isoformat())
        receipt["received_on"] = on
        audit.add_row(
            "funding.receipt.created",
            "funding.receipt",
            str(pk),
            f"{on} {unit_names[row[0]]} {format_amount(row[2])}",
            None,
            receipt,
        )
    del rows
    changed = []
    receipts = Receipt.objects.in_bulk([pk for pk, _wanted in updates])
    if updates:
        book = receipt_book(
            project_ids={
                wanted.get("project_id", receipts[pk].project_id) for pk, wanted in updates
            }
            - {None}
        )
    for pk, wanted in updates:
        receipt = receipts[pk]
        before = snapshot(receipt)
        for key, value in wanted.items():
            setattr(receipt, key, value)
        receipt.channel_id, receipt.level = complete_links(
            book=book,
            unit=receipt.unit_id,
            project=receipt.project_id,
            channel=receipt.channel_id,
            level=receipt.level,
        )
        receipt.version += 1
        changed.append(receipt)
        audit.add("funding.receipt.updated", receipt, before=before, after=snapshot(receipt))
        if wanted.get("project_id"):
            first = (receipt.received_on, receipt.pk)
            funded[receipt.project_id] = min(funded.get(receipt.project_id, first), first)
    Receipt.objects.bulk_update(
        changed, ["project", "channel", "level", "version"], batch_size=1000
    )
    # money on a project advances it to 到位, as `record_receipt` does
    projects = Project.objects.select_for_update().in_bulk(list(funded))
    first_receipts = Receipt.objects.in_bulk([pk for _on, pk in funded.values()])
    for project_id, (_on, receipt_id) in sorted(funded.items()):
        project = projects[project_id]
        if project_id in stages_given:
            continue
        if project.stage != Stage.FUNDED or project.channel_id is None:
            fund_project(
                user=user, project=project, receipt=first_receipts[receipt_id], audit=audit
            )
