"""The state of a work item as the office reads it: on track, due soon, overdue or done."""

from datetime import date, timedelta

from django.db.models import Case, CharField, Value, When
from django.utils.translation import gettext_lazy as _

ON_TRACK = "on_track"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
DONE = "done"


def work_item_state(
    item_due_on: date, done_on: date | None, today: date, soon_days: int = 10
) -> str:
    """Classify a work item; done wins, then overdue (due date passed), then due soon.

    An item due today is "due soon", not overdue: the deadline day still counts.
    """
    if done_on is not None:
        return DONE
    if item_due_on < today:
        return OVERDUE
    if (item_due_on - today).days <= soon_days:
        return DUE_SOON
    return ON_TRACK


STATE_LABELS = {
    ON_TRACK: _("On track"),
    DUE_SOON: _("Due soon"),
    OVERDUE: _("Overdue"),
    DONE: _("Done"),
}


def state_expression(today: date, soon_days: int = 10) -> Case:
    """`work_item_state` in SQL, to filter and sort a queryset of items by state."""
    return Case(
        When(done_on__isnull=False, then=Value(DONE)),
        When(due_on__lt=today, then=Value(OVERDUE)),
        When(due_on__lte=today + timedelta(days=soon_days), then=Value(DUE_SOON)),
        default=Value(ON_TRACK),
        output_field=CharField(),
    )
