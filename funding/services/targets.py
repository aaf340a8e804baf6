"""Writes to targets and their revisions."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditBatch, record, snapshot
from audit.versions import check_version
from org.models import Unit

from ..figures import amount_in_force
from ..models import (
    Target,
    TargetRevision,
)
from .base import _require_office


def effective_date(year: int, effective_on: dt.date | None, *, today: dt.date) -> dt.date:
    """The day a target revision takes effect: the one given, which must lie in the target's
    year, else `today` kept inside that year (before it: 1 January; after it: 31 December)."""
    if effective_on is None:
        return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))
    if effective_on.year != year:
        raise ValidationError(
            _("The effective date must be within %(year)s, the year of the target.")
            % {"year": year},
            code="effective_on",
        )
    return effective_on


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
    if amount < 0:
        raise ValidationError(_("A target must not be negative."))
    at = at or timezone.now()
    effective_on = effective_date(year, effective_on, today=timezone.localdate(at))
    target = Target.objects.select_for_update().filter(unit=unit, year=year).first()
    if target is None:
        target = Target.objects.create(unit=unit, year=year, amount=amount)
        record("funding.target.created", target, after=snapshot(target), user=user)
        return target, True
    check_version(target, expected_version)
    history = list(
        target.revisions.order_by("pk").values_list(
            "pk", "effective_on", "old_amount", "new_amount"
        )
    )
    original = history[0][2] if history else target.amount
    revisions = [(on, pk, new) for pk, on, _old, new in history]
    in_force = amount_in_force(original, revisions, effective_on)
    if in_force == amount:
        return target, False
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
    revisions.append((effective_on, revision.pk, amount))
    target.amount = amount_in_force(original, revisions, dt.date(year, 12, 31))
    target.version += 1
    target.save(update_fields=["amount", "version"])
    record(
        "funding.target.revised",
        target,
        before=before,
        after={
            **snapshot(target),
            "old_amount": in_force,
            "new_amount": amount,
            "effective_on": effective_on,
            "reason": reason,
        },
        user=user,
    )
    return target, True


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
    if any(amount < 0 for *_key, amount in creates) or any(r[2] < 0 for r in revisions):
        raise ValidationError(_("A target must not be negative."))
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
    history: dict[int, list] = {t.pk: [] for t in targets.values()}
    for target_id, *revision in (
        TargetRevision.objects.filter(target_id__in=list(history))
        .order_by("pk")
        .values_list("target_id", "pk", "effective_on", "old_amount", "new_amount")
    ):
        history[target_id].append(revision)
    revised = {}
    for unit, year, amount, effective_on, reason in revisions:
        target = targets[(unit, year)]
        past = history[target.pk]
        original = past[0][2] if past else target.amount
        known = [(on, pk, new) for pk, on, _old, new in past]
        in_force = amount_in_force(original, known, effective_on)
        if in_force == amount:
            continue
        before = snapshot(target)
        revision = TargetRevision.objects.create(
            target=target,
            old_amount=in_force,
            new_amount=amount,
            effective_on=effective_on,
            reason=reason,
            changed_at=audit.at,
            changed_by=user,
        )
        past.append((revision.pk, effective_on, in_force, amount))
        known.append((effective_on, revision.pk, amount))
        target.amount = amount_in_force(original, known, dt.date(year, 12, 31))
        target.version += 1
        revised[target.pk] = target
        audit.add(
            "funding.target.revised",
            target,
            before=before,
            after={
                **snapshot(target),
                "old_amount": in_force,
                "new_amount": amount,
                "effective_on": effective_on,
                "reason": reason,
            },
        )
    Target.objects.bulk_update(list(revised.values()), ["amount", "version"], batch_size=1000)
