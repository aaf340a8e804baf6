"""The state of a work item as the office reads it: on track, due soon, overdue or done."""

from datetime import date

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
