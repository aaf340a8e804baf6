"""Writes to targets and their revisions."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.services import AuditBatch, record, snapshot
from audit.versions import check_version
from org.models import Unit

from ..models import (
    Target,
    TargetRevision,
)
from ..record_rules import TargetHistory, check_target_amount, effective_date
from .base import _require_office


@transaction.atomic
def set_target(
    *,
    user,
    unit: Unit,
    year: int,
    amount: int,
    reason: str = "",
    effective_on: dt.date | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> tuple[Target, bool]:
    """Set a unit's annual target; a change is a revision in force from `effective_on`.

    A new target is in force from 1 January whatever `effective_on` says. A change of an
    existing one is recorded only when `amount` differs from the amount in force on the
    effective date (default: the day it is saved, kept inside `year`); the old amount stays in
    the revision. `Target.amount` is then the amount in force on 31 December (the latest
    revision by effective date), which a back-dated revision need not change.
    """
    _require_office(user)
    check_target_amount(amount)
    at = at or timezone.now()
    effective_on = effective_date(year, effective_on, today=timezone.localdate(at))
    target = Target.objects.select_for_update().filter(unit=unit, year=year).first()
    if target is None:
        target = Target.objects.create(unit=unit, year=year, amount=amount)
        record("funding.target.created", target, after=snapshot(target), user=user)
        return target, True
    check_version(target, expected_version)
    history = TargetHistory.of(target.amount, target.revisions.order_by("pk").values_list(*ROW))
    event = revise_target(user, target, history, amount, effective_on, reason, at)
    if event is None:
        return target, False
    target.save(update_fields=["amount", "version"])
    record("funding.target.revised", target, **event, user=user)
    return target, True


# a revision as `TargetHistory.of` reads it
ROW = ("pk", "effective_on", "old_amount", "new_amount")


def revise_target(
    user,
    target: Target,
    history: TargetHistory,
    amount: int,
    effective_on: dt.date,
    reason: str,
    at: dt.datetime,
) -> dict | None:
    """A revision of `target` to `amount` from `effective_on` through the revision rule
    (`TargetHistory.revise`): none when the amount is already in force then; else the
    revision is stored, `history` and the target (not saved: the caller saves one or a batch)
    take it, and the audit event's before/after are returned."""
    in_force = history.revise(amount, effective_on)
    if in_force is None:
        return None
    before = snapshot(target)
    revision = TargetRevision.objects.create(
        target=target,
        old_amount=in_force,
        new_amount=amount,
        effective_on=effective_on,
        reason=reason,
        changed_at=at,
        changed_by=user,
    )
    history.add(effective_on, revision.pk, amount)
    target.amount = history.year_end(target.year)
    target.version += 1
    after = {
        **snapshot(target),
        "old_amount": in_force,
        "new_amount": amount,
        "effective_on": effective_on,
        "reason": reason,
    }
    return {"before": before, "after": after}


def bulk_set_targets(
    *,
    user,
    audit: AuditBatch,
    creates: list[tuple[int, int, int]],
    revisions: list[tuple[int, int, int, dt.date, str]],
) -> None:
    """New targets `(unit id, year, amount)`, then revisions `(unit id, year, amount,
    effective on, reason)` in order, as `set_target` writes them: a revision keeps the amount
    in force before it on its effective date (none when the amount is already in force), and
    a target's amount ends as the amount in force on 31 December."""
    _require_office(user)
    for *_key, amount in creates:
        check_target_amount(amount)
    for _unit, year, amount, effective_on, _reason in revisions:
        check_target_amount(amount)
        effective_date(year, effective_on, today=timezone.localdate(audit.at))
    new_targets = [Target(unit_id=unit, year=year, amount=amount) for unit, year, amount in creates]
    Target.objects.bulk_create(new_targets, batch_size=1000)
    touched = {(unit, year) for unit, year, _amount in creates}
    touched |= {(unit, year) for unit, year, *_rest in revisions}
    targets = {}
    for target in Target.objects.filter(
        year__in={year for _unit, year in touched},
        unit_id__in={unit for unit, _year in touched},
    ).select_related("unit"):
        if (target.unit_id, target.year) in touched:
            targets[(target.unit_id, target.year)] = target
    for unit, year, _amount in creates:
        target = targets[(unit, year)]
        audit.add("funding.target.created", target, after=snapshot(target))
    rows: dict[int, list] = {t.pk: [] for t in targets.values()}
    for target_id, *revision in (
        TargetRevision.objects.filter(target_id__in=list(rows))
        .order_by("pk")
        .values_list("target_id", *ROW)
    ):
        rows[target_id].append(revision)
    histories = {t.pk: TargetHistory.of(t.amount, rows[t.pk]) for t in targets.values()}
    revised = {}
    for unit, year, amount, effective_on, reason in revisions:
        target = targets[(unit, year)]
        event = revise_target(
            user, target, histories[target.pk], amount, effective_on, reason, audit.at
        )
        if event is not None:
            revised[target.pk] = target
            audit.add("funding.target.revised", target, **event)
    Target.objects.bulk_update(list(revised.values()), ["amount", "version"], batch_size=1000)
