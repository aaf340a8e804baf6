"""Backward scheduling (倒排工期): a deadline and steps of N working days, pure functions.

A step of N working days covers N working days on the statutory calendar, first and last
included. The last step ends on the deadline (on the working day before it when the deadline
is a holiday or weekend); each earlier step ends on the working day before the next one starts.
A year the schedule touches that has no holiday calendar entered falls back to Mon–Fri and
gives a warning, never a silent wrong answer.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from common.dates import WorkCalendar

MAX_STEPS = 30
MAX_STEP_WORKDAYS = 250


class ScheduleError(ValueError):
    """Steps that cannot be scheduled; the message is for the user."""


@dataclass(frozen=True)
class ScheduledStep:
    position: int
    title: str
    workdays: int
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class Schedule:
    deadline: dt.date
    steps: tuple[ScheduledStep, ...]
    #: a message for the page when a year touched has no holiday calendar entered, else None
    warning: str | None = None

    @property
    def starts_on(self) -> dt.date | None:
        return self.steps[0].starts_on if self.steps else None


def last_workday_on_or_before(day: dt.date, calendar: WorkCalendar) -> dt.date:
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def schedule_backwards(
    deadline: dt.date,
    steps: Sequence[tuple[str, int]],
    calendar: WorkCalendar,
) -> Schedule:
    """Schedule `steps` — (title, working days) in the order they are done — backwards from
    `deadline` on `calendar`. Raises `ScheduleError` for no steps, too many, or a step of fewer
    than 1 or more than 250 working days."""
    if not steps:
        raise ScheduleError(_("Enter at least one step."))
    if len(steps) > MAX_STEPS:
        raise ScheduleError(_("A plan has at most %(n)s steps.") % {"n": MAX_STEPS})
    for title, days in steps:
        if not isinstance(days, int) or isinstance(days, bool):
            raise ScheduleError(_("Working days must be a whole number."))
        if not 1 <= days <= MAX_STEP_WORKDAYS:
            raise ScheduleError(
                _("“%(step)s”: a step takes 1 to %(max)s working days.")
                % {"step": title, "max": MAX_STEP_WORKDAYS}
            )
    scheduled: list[ScheduledStep] = []
    end = last_workday_on_or_before(deadline, calendar)
    for position in range(len(steps), 0, -1):
        title, days = steps[position - 1]
        start = calendar.add_workdays(end, -(days - 1)) if days > 1 else end
        scheduled.append(ScheduledStep(position, title, days, start, end))
        end = calendar.add_workdays(start, -1)
    scheduled.reverse()
    touched = set(range(scheduled[0].starts_on.year, deadline.year + 1))
    missing = touched - calendar.known_years
    warning = WorkCalendar(known_years=calendar.known_years, unknown_years=missing).warning()
    return Schedule(deadline=deadline, steps=tuple(scheduled), warning=warning)
