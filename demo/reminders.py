"""Demo reminders: the daily run of July 2024 (in the app, escalations included), and ZJJ's
WeCom and DingTalk group robots as disabled examples (addresses of the real services with
made-up tokens: nothing is ever sent to them)."""

import datetime as dt

from org.models import Unit
from reminders import services as reminders
from reminders.models import RobotKind

# The run of each working Monday of July 2024: enough for escalation to reach the leader.
RUN_DATES = [dt.date(2024, 7, 1), dt.date(2024, 7, 8), dt.date(2024, 7, 15)]
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-zjj-wecom-0000"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=demo-zjj-dingtalk-0000"
DINGTALK_SECRET = "SECdemo0000000000000000000000000000"


def load_reminders() -> None:
    """Idempotent: the keys of reminders already sent are skipped, robots saved unchanged."""
    for as_of in RUN_DATES:
        reminders.run_reminders(as_of=as_of)
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
