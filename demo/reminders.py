"""Demo reminders: the daily run of July 2024 (in the app, escalations included), and ZJJ's
WeCom and DingTalk group robots pointing at a local address where nothing listens (a
`luoshi remind` run today shows a channel that is down: reported, kept, retried)."""

import datetime as dt

from org.models import Unit
from reminders import services as reminders
from reminders.models import RobotKind

# The run of each working Monday of July 2024: enough for escalation to reach the leader.
RUN_DATES = [dt.date(2024, 7, 1), dt.date(2024, 7, 8), dt.date(2024, 7, 15)]
WECOM_URL = "http://127.0.0.1:9/cgi-bin/webhook/send?key=demo-zjj-wecom-0000"
DINGTALK_URL = "http://127.0.0.1:9/robot/send?access_token=demo-zjj-dingtalk-0000"
DINGTALK_SECRET = "SECdemo0000000000000000000000000000"


def load_reminders() -> None:
    """Idempotent: the keys of reminders already sent are skipped, robots saved unchanged."""
    for as_of in RUN_DATES:
        reminders.run_reminders(as_of=as_of)
    zjj = Unit.objects.get(code="ZJJ")
    reminders.save_robot(user=None, unit=zjj, kind=RobotKind.WECOM, webhook=WECOM_URL)
    reminders.save_robot(
        user=None,
        unit=zjj,
        kind=RobotKind.DINGTALK,
        webhook=DINGTALK_URL,
        secret=DINGTALK_SECRET,
    )
