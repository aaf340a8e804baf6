"""What the striving pipeline puts on a unit's workbench: the open guides that concern the
unit, each with its working-day countdown and the unit's best-fitting reserve project."""

import datetime as dt

from django.db.models import Q


def guides_for_unit(user, unit, as_of: dt.date, *, limit: int = 8, calendar=None) -> list[dict]:
    """Guides naming the unit whose deadline has not passed on `as_of` (or that have none),
    soonest deadline first; each with `countdown` and `best` (a `matching.Match` or None).
    `calendar`: the working-day calendar already loaded from `as_of`'s year through the
    following one (it is loaded here when the deadlines go further)."""
    from org.calendar import load_calendar

    from .matching import match_all
    from .models import Guide
    from .pipeline_views import countdown

    guides = list(
        Guide.objects.filter(units=unit)
        .filter(Q(deadline__gte=as_of) | Q(deadline__isnull=True))
        .select_related("channel")
        .prefetch_related("units")
        .order_by("deadline", "code")[:limit]
    )
    if not guides:
        return []
    last = max((g.deadline for g in guides if g.deadline), default=as_of)
    if calendar is None or last.year > as_of.year + 1:
        calendar = load_calendar(as_of.year, last.year)
    return [
        {
            "guide": guide,
            "countdown": countdown(guide.deadline, as_of, calendar),
            "best": matches[0] if matches else None,
            "more": len(matches) - 1 if matches else 0,
        }
        for guide, matches in match_all(guides, user, limit=3)
    ]
