"""Read shapes of funding: scoped querysets and the figures aggregated in the database."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from common.dates import DAY, time_progress
from common.querysets import ScopedQuerySet

from .figures import Summary, UnitFigures


class TargetQuerySet(ScopedQuerySet):
    unit_path = "unit"


class TargetRevisionQuerySet(ScopedQuerySet):
    unit_path = "target__unit"


class ProjectQuerySet(ScopedQuerySet):
    unit_path = "unit"


class ReceiptQuerySet(ScopedQuerySet):
    unit_path = "unit"

    def in_year(self, year: int, as_of: dt.date | None = None):
        end = as_of or dt.date(year, 12, 31)
        return self.filter(received_on__gte=dt.date(year, 1, 1), received_on__lte=end)


class LeadQuerySet(ScopedQuerySet):
    unit_path = "unit"


class ContactQuerySet(ScopedQuerySet):
    unit_path = "unit"


class GuideQuerySet(ScopedQuerySet):
    """Guides are published calls: everyone with a business role reads them all."""

    def visible_to(self, user, action: str = "view"):
        from common.permissions import ADMIN_ROLES, Role, role_of

        role = role_of(user)
        if role is None or role in ADMIN_ROLES:
            return self.none()
        if action == "view" or role == Role.OFFICE:
            return self
        return self.none()


def compute_summary(
    year: int, as_of: dt.date, *, user=None, mode: str = DAY, unit_ids=None
) -> Summary:
    """Figures of design §3 for every task department (unit with a target in `year`).

    Two aggregate queries whatever the number of units. With `user`, only the units
    that user may see are counted.
    """
    from .models import Receipt, Target

    targets = Target.objects.filter(year=year)
    if user is not None:
        targets = targets.visible_to(user)
    if unit_ids is not None:
        targets = targets.filter(unit_id__in=unit_ids)
    rows = list(
        targets.values_list("unit_id", "unit__code", "unit__name", "amount").order_by(
            "unit__sort_order", "unit__code"
        )
    )
    secured = (
        dict(
            Receipt.objects.in_year(year, as_of)
            .filter(unit_id__in=targets.values("unit_id"))
            .values("unit_id")
            .annotate(total=Sum("amount"))
            .values_list("unit_id", "total")
        )
        if rows
        else {}
    )
    progress = time_progress(as_of, mode)
    return Summary(
        year=year,
        as_of=as_of,
        progress=progress,
        units=[
            UnitFigures(
                unit_id=uid,
                code=code,
                name=name,
                target=amount,
                secured=int(secured.get(uid) or 0),
                progress=progress,
            )
            for uid, code, name, amount in rows
        ],
    )


def targets_in_force(
    year: int, as_of: dt.date, unit_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """unit id → its target for `year` in force on `as_of` (元), for every unit with a target
    in `year` (or those of `unit_ids`). One query whatever the number of units.

    The rule is `figures.amount_in_force`, computed in the database: the latest revision
    effective on or before `as_of` (the latest saved among those of one day), else the
    original amount (the first revision's old amount; `Target.amount` when never revised).
    """
    from .models import Target, TargetRevision

    latest = (
        TargetRevision.objects.filter(target=OuterRef("pk"), effective_on__lte=as_of)
        .order_by("-effective_on", "-pk")
        .values("new_amount")[:1]
    )
    original = (
        TargetRevision.objects.filter(target=OuterRef("pk")).order_by("pk").values("old_amount")[:1]
    )
    targets = Target.objects.filter(year=year)
    if unit_ids is not None:
        targets = targets.filter(unit_id__in=unit_ids)
    return dict(
        targets.annotate(
            in_force=Coalesce(Subquery(latest), Subquery(original), F("amount"))
        ).values_list("unit_id", "in_force")
    )
