"""Demo reminders: the daily runs of July–September 2024 (in the app, escalations included)
with a history of acknowledgements (签收) and answers (progress reports) between them, and
ZJJ's WeCom and DingTalk group robots as disabled examples (addresses of the real services
with made-up tokens: nothing is ever sent to them)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from org.calendar import load_calendar
from org.models import Unit
from policy import services as policy
from policy.models import ProgressReport, WorkItem
from reminders import services as reminders
from reminders.models import Reminder, RobotKind

# A run every other working Monday or so: enough for escalation to reach the leader, and a
# quarter's history for the effect of urging (催办效果).
RUN_DATES = [
    dt.date(2024, 7, 1),
    dt.date(2024, 7, 8),
    dt.date(2024, 7, 15),
    dt.date(2024, 7, 29),
    dt.date(2024, 8, 12),
    dt.date(2024, 8, 26),
    dt.date(2024, 9, 9),
    dt.date(2024, 9, 23),
]
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-zjj-wecom-0000"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=demo-zjj-dingtalk-0000"
DINGTALK_SECRET = "SECdemo0000000000000000000000000000"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _history(run_on: dt.date, calendar) -> None:
    """What the people did after a run: ZJJ's officer acknowledges two of three of the unit's
    reminders the next working day; the leader and the office acknowledge what came to them
    within two; ZJJ reports progress on its most overdue item three working days later."""
    User = get_user_model()
    people = {u.username: u for u in User.objects.filter(username__in=["zjj", "leader", "office"])}
    # every reminder of the run, acknowledged or not, so a second load acknowledges the same
    fresh = Reminder.objects.filter(as_of=run_on).order_by("pk")
    next_day = calendar.add_workdays(run_on, 1)
    for n, reminder in enumerate(fresh.filter(recipient_unit__code="ZJJ")):
        if n % 3 != 2 and "zjj" in people:
            reminders.acknowledge(
                user=None, person=people["zjj"], reminder=reminder, at=_at(next_day, 9)
            )
    for username, days in (("leader", 2), ("office", 1)):
        person = people.get(username)
        if person is None:
            continue
        for reminder in fresh.filter(recipient_user=person):
            day = calendar.add_workdays(run_on, days)
            reminders.acknowledge(user=None, person=person, reminder=reminder, at=_at(day, 16))
    zjj = Unit.objects.get(code="ZJJ")
    item = (
        WorkItem.objects.filter(assignments__unit=zjj, done_on__isnull=True, due_on__lt=run_on)
        .order_by("due_on", "pk")
        .first()
    )
    answer_on = calendar.add_workdays(run_on, 3)
    if (
        item is not None
        and not ProgressReport.objects.filter(
            work_item=item, unit=zjj, reported_on=answer_on
        ).exists()
    ):
        policy.file_progress_report(
            user=None,
            work_item=item,
            unit=zjj,
            reported_on=answer_on,
            text="已按催办要求推进，正在完善申报材料。",
            percent=60,
        )


def load_reminders() -> None:
    """Idempotent: the keys of reminders already sent are skipped, acknowledgements and
    reports made once, robots saved unchanged."""
    calendar = load_calendar(2024, 2024)
    for as_of in RUN_DATES:
        reminders.run_reminders(as_of=as_of)
        _history(as_of, calendar)
    zjj = Unit.objects.get(code="ZJJ")
    # disabled: examples of how a robot is entered, never sent to
    reminders.save_robot(
        user=None, unit=zjj, kind=RobotKind.WECOM, webhook=WECOM_URL, enabled=False
    )
    reminders.save_robot(
        user=None,
        unit=zjj,
        kind=RobotKind.DINGTALK,
        webhook=DINGTALK_URL,
        secret=DINGTALK_SECRET,
        enabled=False,
    )
