"""The state of a work item as the office reads it: on track, due soon, overdue or done.

One rule (design §3.1), in working days: an item not done is overdue once its due date has
passed; it is due soon when it is due on or before the *horizon*, the date `N` working days
after the as-of date on the office's holiday calendar (`N` is `SiteConfig.due_soon_workdays`).
`work_item_state` (Python) and `state_expression` (SQL) are the same rule; templates, lists,
the cockpit, the workbench and the reminders take the horizon from `due_soon_horizon`.

Done means confirmed (design §10): `done_on` is set only when the office closes the item or
confirms the lead unit's request (销号), to the date the unit gave. A unit's "done" awaiting the
office (待销号) and an extension awaiting approval (延期申请待审批) change no state — an
overdue item stays overdue — they are shown beside it (`CLOSE_PENDING_LABEL`, …).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, Value, When
from django.utils.translation import gettext_lazy as _

from common.dates import WorkCalendar

ON_TRACK = "on_track"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
DONE = "done"

#: the states that call for action (what a reminder urges about): due soon or overdue
PRESSING = (DUE_SOON, OVERDUE)

STATE_LABELS = {
    ON_TRACK: _("On track"),
    DUE_SOON: _("Due soon"),
    OVERDUE: _("Overdue"),
    DONE: _("Done"),
}
#: shown beside the state, never instead of it
CLOSE_PENDING_LABEL = _("Awaiting closing")
EXTENSION_PENDING_LABEL = _("Extension awaiting approval")


def state_text(state: str, *, close_pending: bool = False, extension_pending: bool = False) -> str:
    """The state's label, and what awaits the office beside it ("已逾期 · 待销号")."""
    marks = [CLOSE_PENDING_LABEL if close_pending else None]
    marks.append(EXTENSION_PENDING_LABEL if extension_pending else None)
    return " · ".join(str(m) for m in [STATE_LABELS[state], *marks] if m)


def item_state_text(item) -> str:
    """`state_text` of an item annotated by `WorkItemQuerySet.with_state`."""
    return state_text(
        item.state,
        close_pending=getattr(item, "close_pending", False),
        extension_pending=getattr(item, "extension_pending", False),
    )


@dataclass(frozen=True)
class DueSoonHorizon:
    """The last due date that counts as "due soon" on `as_of`, and how it was found.

    `warning` is a message for the page when a year the count ran through has no holiday
    calendar entered (Mon–Fri were assumed there), else None.
    """

    as_of: date
    workdays: int
    horizon: date
    warning: str | None = None


def due_soon_workdays() -> int:
    """The office's setting: how many working days ahead an item counts as due soon."""
    from org.models import DUE_SOON_WORKDAYS_DEFAULT, SiteConfig

    value = SiteConfig.objects.order_by("pk").values_list("due_soon_workdays", flat=True).first()
    return value or DUE_SOON_WORKDAYS_DEFAULT


def due_soon_horizon(
    as_of: date, *, workdays: int | None = None, calendar: WorkCalendar | None = None
) -> DueSoonHorizon:
    """The due-soon horizon on `as_of`: `workdays` (default: the office's setting) working days
    later on the statutory calendar (default: the calendar the office entered)."""
    if workdays is None:
        workdays = due_soon_workdays()
    if calendar is None:
        from org.calendar import load_calendar

        # at most 60 working days ahead: the horizon never leaves the following year
        calendar = load_calendar(as_of.year, as_of.year + 1)
    horizon = calendar.add_workdays(as_of, workdays)
    return DueSoonHorizon(
        as_of=as_of, workdays=workdays, horizon=horizon, warning=calendar.warning()
    )


def work_item_state(due_on: date, done_on: date | None, as_of: date, horizon: date) -> str:
    """Classify a work item; done wins, then overdue (due date passed), then due soon.

    An item due on the as-of date is "due soon", not overdue: the deadline day still counts.
    """
    if done_on is not None:
        return DONE
    if due_on < as_of:
        return OVERDUE
    if due_on <= horizon:
        return DUE_SOON
    return ON_TRACK


def state_expression(as_of: date, horizon: date) -> Case:
    """`work_item_state` in SQL, to annotate, filter and sort items (or milestones) by state."""
    return Case(
        When(done_on__isnull=False, then=Value(DONE)),
        When(due_on__lt=as_of, then=Value(OVERDUE)),
        When(due_on__lte=horizon, then=Value(DUE_SOON)),
        default=Value(ON_TRACK),
        output_field=CharField(),
    )
