"""`luoshi remind`: every channel for real (SMTP server, robot HTTP server), never twice, a
channel that is down reported and retried with nothing lost, escalation, notify()."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from audit.models import AuditEvent
from org.models import Unit
from org.tests.factories import UnitFactory
from policy import services as policy
from policy.models import WorkItem
from policy.tests.factories import WorkItemFactory
from reminders import services
from reminders.models import Channel, Delivery, DeliveryStatus, Reminder, Robot, RobotKind
from reminders.sources import ESCALATE_HEAD, ESCALATE_LEADER

from .factories import pressing_work
from .servers import DINGTALK_SECRET, SmtpServer

pytestmark = pytest.mark.django_db

ZJJ_MAIL = "zjj@luoshi.test"


@pytest.fixture
def first_run(demo):
    """The demo without its July 2024 reminders and robots: the tests about the demo's guides
    and projects run `remind` first."""
    Reminder.objects.all().delete()
    Robot.objects.all().delete()


@pytest.fixture
def work(db) -> dict:
    """A unit's overdue and due-soon work, its people, and a co-unit (factories.pressing_work)."""
    return pressing_work()


def remind(*args) -> tuple[str, int, str]:
    out, err = StringIO(), StringIO()
    call_command("remind", *args, stdout=out, stderr=err)
    last = out.getvalue().strip().splitlines()[-1]
    return last, int(re.search(r"\d+", last).group()), err.getvalue()


def setup_zjj(work, robots) -> Unit:
    """The unit's officer gets an e-mail address, the unit both robots."""
    zjj = work["unit"]
    get_user_model().objects.filter(pk=work["zjj"].pk).update(email=ZJJ_MAIL)
    services.save_robot(user=None, unit=zjj, kind=RobotKind.WECOM, webhook=robots.wecom_url)
    services.save_robot(
        user=None,
        unit=zjj,
        kind=RobotKind.DINGTALK,
        webhook=robots.dingtalk_url,
        secret=DINGTALK_SECRET,
    )
    return zjj


def test_it_sends_in_the_app_by_mail_and_to_both_robots_once(work, smtp, robots, mail_settings):
    mail_settings(smtp.port)
    zjj = setup_zjj(work, robots)
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    summary, sent, _err = remind("--as-of", "2024-07-01")
    assert summary.startswith("发送催办"), summary
    assert sent == Reminder.objects.filter(deliveries__isnull=False).distinct().count() > 0
    to_zjj = Reminder.objects.filter(recipient_unit=zjj).count()
    assert to_zjj >= 3
    # one e-mail and one message per robot for every reminder to the unit; the rest went to
    # the people the others were addressed to, at their addresses
    to_unit = [m for m in smtp.messages if m.rcpt_tos == [ZJJ_MAIL]]
    assert len(to_unit) == to_zjj
    to_people = Reminder.objects.filter(recipient_user__email__gt="").count()
    assert len(smtp.messages) == to_zjj + to_people
    assert b"luoshi.example.gov.cn/reminders/" in b"".join(
        m.original_content for m in smtp.messages
    )
    assert robots.rejected == []
    kinds = [kind for kind, _payload in robots.received]
    assert kinds.count("wecom") == kinds.count("dingtalk") == to_zjj
    wecom = next(p for k, p in robots.received if k == "wecom")
    assert wecom["markdown"]["content"].startswith("### 【催办】")
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    zjj_user = work["zjj"]
    assert Delivery.objects.unread_for(zjj_user).count() == to_zjj
    sends = AuditEvent.objects.filter(action="reminders.delivery.sent", id__gt=start).count()
    assert sends == Delivery.objects.count()

    summary, sent, _err = remind("--as-of", "2024-07-01")
    assert sent == 0, summary
    unreachable = Reminder.objects.filter(deliveries__isnull=True).count()
    assert f"跳过 {Reminder.objects.count() - unreachable} 条" in summary
    assert len(smtp.messages) == to_zjj + to_people and len(robots.received) == 2 * to_zjj


def test_a_channel_that_is_down_is_reported_then_retried_with_nothing_lost(
    work, dead_smtp_port, robots, mail_settings
):
    mail_settings(dead_smtp_port)
    zjj = setup_zjj(work, robots)
    robots.down = True
    summary, sent, err = remind("--as-of", "2024-07-01")
    to_zjj = Reminder.objects.filter(recipient_unit=zjj).count()
    assert sent > 0 and to_zjj > 0
    to_people = Reminder.objects.filter(recipient_user__email__gt="").count()
    down = 3 * to_zjj + to_people  # e-mail, WeCom, DingTalk; e-mails to people
    failed = Delivery.objects.filter(status=DeliveryStatus.FAILED)
    assert failed.count() == down
    assert f"失败 {down} 次" in summary
    assert "将于下次重试" in summary
    # in plain words: never the remote's answer or an exception's text
    assert "邮件服务器无法连接" in err and "机器人未接收消息" in err
    assert "HTTP" not in err and "Errno" not in err and "Error" not in err
    assert set(failed.values_list("attempts", flat=True)) == {1}
    assert all(d.last_error for d in failed)
    assert (
        AuditEvent.objects.filter(action="reminders.delivery.failed", success=False).count() == down
    )

    smtp = SmtpServer(port=dead_smtp_port).start()
    robots.down = False
    try:
        summary, sent, err = remind("--as-of", "2024-07-01")
    finally:
        smtp.stop()
    assert sent == 0, summary
    assert f"其中补发 {down} 次" in summary
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    outside = Delivery.objects.exclude(channel=Channel.APP)
    assert set(outside.values_list("attempts", flat=True)) == {2}
    assert len(smtp.messages) == to_zjj + to_people
    assert len(robots.received) == 2 * to_zjj and robots.rejected == []


def test_a_wrong_dingtalk_secret_is_a_failure_not_a_crash(work, robots):
    zjj = work["unit"]
    services.save_robot(
        user=None,
        unit=zjj,
        kind=RobotKind.DINGTALK,
        webhook=robots.dingtalk_url,
        secret="SECwrong1",
    )
    summary, sent, err = remind("--as-of", "2024-07-01")
    assert sent > 0
    assert robots.rejected and set(robots.rejected) == {"dingtalk sign"}
    assert "机器人未接收消息" in err and "310000" not in err
    assert Delivery.objects.filter(channel=Channel.DINGTALK, status=DeliveryStatus.FAILED).exists()


def test_a_dry_run_writes_nothing_and_says_what_it_would_send(work):
    before = AuditEvent.objects.count()
    summary, would, _err = remind("--as-of", "2024-07-01", "--dry-run")
    assert would > 0 and Reminder.objects.count() == 0
    assert AuditEvent.objects.count() == before
    _summary, sent, _err = remind("--as-of", "2024-07-01")
    assert sent == would


def test_a_bad_date_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2024-02-30"):
        remind("--as-of", "2024-02-30")


def test_it_escalates_to_the_head_then_the_leader_after_days_of_silence(work, settings):
    settings.LUOSHI_REMIND_ACK_WORKDAYS = 250  # silence alone here (test_acknowledge: 签收)
    zjj = work["unit"]
    remind("--as-of", "2024-07-01")
    overdue = Reminder.objects.filter(recipient_unit=zjj, stage="overdue", source="work_item")
    assert overdue.exists()
    # one item gets a progress report: its silence starts again
    reported = WorkItem.objects.get(pk=int(overdue.first().topic.split(":")[1]))
    policy.file_progress_report(
        user=None,
        work_item=reported,
        unit=zjj,
        reported_on=dt.date(2024, 7, 5),
        text="已完成方案编制",
    )
    remind("--as-of", "2024-07-05")  # 4 working days: too soon
    assert not Reminder.objects.filter(stage=ESCALATE_HEAD).exists()
    remind("--as-of", "2024-07-08")  # 5 working days after 1 July
    head = Reminder.objects.filter(stage=ESCALATE_HEAD, unit=zjj)
    assert head.exists()
    assert set(head.values_list("recipient_user", flat=True)) == {work["zjj_head"].pk}
    assert not head.filter(topic=f"workitem:{reported.pk}").exists()
    assert not Reminder.objects.filter(stage=ESCALATE_LEADER, unit=zjj).exists()
    remind("--as-of", "2024-07-15")  # 5 more silent working days
    leader = Reminder.objects.filter(stage=ESCALATE_LEADER, unit=zjj)
    assert set(leader.values_list("recipient_user", flat=True)) == {work["leader"].pk}
    assert "升级" in leader.first().subject
    # a unit whose overseeing leader has no account: the office passes it on
    relayed = Reminder.objects.filter(stage__startswith=f"{ESCALATE_LEADER}:")
    assert set(relayed.values_list("unit", flat=True)) == {work["helper"].pk}
    assert set(relayed.values_list("recipient_user", flat=True)) == {work["office"].pk}
    assert "未开通" in relayed.first().body or "账号" in relayed.first().body
    _s, again, _e = remind("--as-of", "2024-07-15")
    assert again == 0


def test_guides_closing_reach_every_unit_concerned(first_run):
    remind("--as-of", "2024-07-01")
    guide = Reminder.objects.filter(source="guide", subject__contains="保障性安居工程")
    assert set(guide.values_list("recipient_unit__code", flat=True)) == {"FGW", "ZJJ"}
    remind("--as-of", "2024-07-11")  # 2 working days left: the last reminder
    last = Reminder.objects.filter(
        source="guide", stage="last_days", subject__contains="保障性安居"
    )
    assert set(last.values_list("recipient_unit__code", flat=True)) == {"FGW", "ZJJ"}


def test_a_silent_submitted_project_goes_to_the_overseeing_leader(first_run):
    remind("--as-of", "2024-07-01")
    projects = Reminder.objects.filter(source="project")
    leader = projects.filter(recipient_user__username="leader")
    assert leader.exists()
    assert all(r.unit.code in {"ZJJ", "ZRJ", "CGJ", "CTJT"} for r in leader)
    assert (
        projects.exclude(recipient_user__username="leader")
        .filter(recipient_user__username="office")
        .exists()
    )


def test_notify_sends_once_and_only_for_those_who_may_urge(people):
    cast = people
    zjj = people["unit"]
    fgw = UnitFactory()  # a unit the leader does not oversee
    first = services.notify(
        zjj,
        subject="请报送调度材料",
        body="请于7月10日前报送。",
        key="dispatch:1:urge",
        url="/cockpit/",
        actor=cast["office"],
    )
    assert first is not None and first.deliveries.filter(user=cast["zjj"]).exists()
    again = services.notify(
        zjj,
        subject="请报送调度材料",
        body="请于7月10日前报送。",
        key="dispatch:1:urge",
        actor=cast["office"],
    )
    assert again is None
    assert services.notify(
        zjj, subject="领导督办", body="请抓紧。", key="leader:1", actor=cast["leader"]
    )
    with pytest.raises(PermissionDenied):
        services.notify(fgw, subject="x", body="y", key="k", actor=cast["leader"])
    with pytest.raises(PermissionDenied):
        services.notify(fgw, subject="x", body="y", key="k", actor=cast["zjj"])
    assert AuditEvent.objects.filter(
        action="reminders.reminder.created", actor_name=cast["office"].username
    ).exists()


def test_notify_sends_to_the_robots_after_the_commit(
    people, robots, django_capture_on_commit_callbacks
):
    cast = people
    zjj = setup_zjj(people, robots)
    with django_capture_on_commit_callbacks(execute=True):
        reminder = services.notify(
            zjj,
            subject="请报送调度材料",
            body="请于7月10日前报送。",
            key="dispatch:2:urge",
            actor=cast["office"],
        )
        assert robots.received == []  # nothing leaves before the commit
    assert sorted(k for k, _p in robots.received) == ["dingtalk", "wecom"]
    statuses = set(reminder.deliveries.values_list("status", flat=True))
    assert statuses == {DeliveryStatus.SENT}


def test_a_robot_gets_at_most_one_message_per_interval(work, robots, settings):
    settings.LUOSHI_ROBOT_INTERVAL_SECONDS = 0.3
    zjj = work["unit"]
    services.save_robot(user=None, unit=zjj, kind=RobotKind.WECOM, webhook=robots.wecom_url)
    remind("--as-of", "2024-07-01")
    count = len(robots.times)
    assert count >= 5
    # measured over the whole run, so one message held up on a busy machine does not count
    assert robots.times[-1] - robots.times[0] >= (count - 1) * 0.3 - 0.25


def test_a_broken_source_is_reported_and_the_others_still_send(first_run):
    from reminders.services import run_reminders
    from reminders.sources import guides

    def broken(context):
        raise RuntimeError("bug in a source")

    result = run_reminders(as_of=dt.date(2024, 7, 1), sources=[broken, guides])
    guides_sent = Reminder.objects.filter(source="guide")
    assert result.sent > 0 and guides_sent.count() == result.sent + len(result.unreachable)
    assert len(result.errors) == 1 and "broken" in result.errors[0]


def test_every_run_anchors_the_audit_trail_with_its_own_events(work):
    """Issue 25 point 1: `remind` anchors the trail (as a sealed event carrying its line), so
    its reminders are not among the events only the key protects."""
    from audit import anchors

    remind("--as-of", "2024-07-01")
    written = anchors.read_anchors()
    assert len(written) == 1
    event = AuditEvent.objects.get(id=written[0].event_id)
    assert event.action == "audit.anchored" and event.actor_name == "luoshi remind"
    assert event.after["line"] == 1
    assert AuditEvent.objects.filter(action="reminders.reminder.created", id__lt=event.id).exists()
    # the next day's run has something new to send (an item that fell overdue): anchored too
    WorkItemFactory(lead_unit=work["unit"], due_on=dt.date(2024, 6, 28))
    remind("--as-of", "2024-07-02")
    assert len(anchors.read_anchors()) == 2
