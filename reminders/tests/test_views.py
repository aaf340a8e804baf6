"""The pages: my reminders and the bell, every reminder with its deliveries, the robots."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from org.tests.factories import UnitFactory
from reminders.models import Channel, Delivery, Reminder, Robot, RobotKind
from reminders.services import run_reminders, save_robot

from .factories import FIRST_RUN, pressing_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(db) -> dict:
    """A unit's pressing work, its people and a co-unit (factories.pressing_work)."""
    return pressing_work()


@pytest.fixture
def reminded(work) -> dict:
    """The same, after the first run of the reminders (1 July 2024), as the demo has it."""
    run_reminders(as_of=FIRST_RUN)
    return work


def unread_badge(html: str) -> int:
    match = re.search(r'class="bell-count"[^>]*>(\d+)<', html)
    return int(match.group(1)) if match else 0


def test_the_bell_counts_my_unread_reminders_and_reading_clears_it(client, reminded):
    zjj = reminded["zjj"]
    unread = Delivery.objects.unread_for(zjj).count()
    assert unread > 1  # the first run's reminders
    client.force_login(zjj)
    assert unread_badge(client.get(reverse("reminders:bell")).content.decode()) == unread
    page = client.get(reverse("reminders:inbox")).content.decode()
    first = Delivery.objects.unread_for(zjj).first()
    assert first.reminder.subject in page
    response = client.post(reverse("reminders:mark_read"), {"delivery": first.pk, "open": "1"})
    assert response.status_code == 302 and response["Location"] == first.reminder.url
    assert unread_badge(client.get(reverse("reminders:bell")).content.decode()) == unread - 1
    client.post(reverse("reminders:mark_read"))
    assert "bell-count" not in client.get(reverse("reminders:bell")).content.decode()
    assert (
        AuditEvent.objects.filter(action="reminders.delivery.read", actor_name=zjj.username).count()
        == 2
    )


def test_nobody_reads_another_persons_reminder(client, reminded):
    cast = reminded
    other = Delivery.objects.unread_for(cast["zjj"]).first()
    client.force_login(cast["zjj_head"])
    response = client.post(reverse("reminders:mark_read"), {"delivery": other.pk})
    assert response.status_code == 404
    assert Delivery.objects.get(pk=other.pk).read_at is None
    bad = client.post(reverse("reminders:mark_read"), {"delivery": "x' OR 1=1"})
    assert bad.status_code == 302


def test_the_list_shows_each_delivery_and_follows_scope(
    client, reminded, django_assert_max_num_queries
):
    cast = reminded
    client.force_login(cast["office"])
    with django_assert_max_num_queries(14):
        page = client.get(reverse("reminders:reminder_list")).content.decode()
    assert "站内" in page and "已送达" in page
    client.force_login(cast["zjj"])
    page = client.get(reverse("reminders:reminder_list")).content.decode()
    visible = Reminder.objects.visible_to(cast["zjj"])
    assert visible.exists() and not visible.exclude(unit=cast["unit"]).exists()
    own = set(visible.values_list("subject", flat=True))
    other = Reminder.objects.filter(unit=cast["helper"]).exclude(subject__in=own).first()
    assert other is not None and other.subject not in page


def test_the_office_configures_a_robot_and_never_sees_its_secret_again(client, people):
    client.force_login(people["office"])
    fgw = UnitFactory()
    secret = "SECfgw1234567890secret"
    token = "fgwtoken1234567890"
    response = client.post(
        reverse("reminders:robot_list"),
        {
            "unit": fgw.pk,
            "kind": RobotKind.DINGTALK,
            "webhook": f"https://oapi.dingtalk.com/robot/send?access_token={token}",
            "secret": secret,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    robot = Robot.objects.get(unit=fgw, kind=RobotKind.DINGTALK)
    assert robot.secret == secret
    for url in (reverse("reminders:robot_list"), reverse("reminders:robot_edit", args=[robot.pk])):
        html = client.get(url).content.decode()
        assert secret not in html and token not in html
        assert "SEC…ret" in html
    events = AuditEvent.objects.filter(action__startswith="reminders.robot")
    assert events.exists() and all(secret not in str(e.after) for e in events)
    assert all(token not in str(e.after) for e in events)
    # an edit with the secret left empty keeps it; a new webhook is taken
    response = client.post(
        reverse("reminders:robot_edit", args=[robot.pk]),
        {
            "webhook": "https://oapi.dingtalk.com/robot/send?access_token=new",
            "version": robot.version,
        },
    )
    assert response.status_code == 302
    robot.refresh_from_db()
    assert robot.secret == secret and robot.webhook.endswith("=new") and not robot.enabled


def test_bad_robot_input_is_refused_with_a_message(client, people):
    client.force_login(people["office"])
    zjj = people["unit"]
    save_robot(
        user=None, unit=zjj, kind=RobotKind.WECOM, webhook="https://qyapi.weixin.qq.com/x?key=0"
    )
    cases = [
        {"unit": zjj.pk, "kind": "dingtalk", "webhook": "ftp://x/y", "secret": "SECx"},
        {"unit": "abc", "kind": "wecom", "webhook": "https://qyapi.weixin.qq.com/x?key=1"},
        {"unit": zjj.pk, "kind": "fax", "webhook": "https://qyapi.weixin.qq.com/x?key=1"},
        {"unit": zjj.pk, "kind": "wecom", "webhook": "https://qyapi.weixin.qq.com/x?key=1"},
    ]
    for data in cases:
        response = client.post(reverse("reminders:robot_list"), data)
        assert response.status_code == 200, data
        assert (
            'class="field-error"' in response.content.decode()
            or "errorlist" in response.content.decode()
        )
    # the unit's robot (WeCom) is there: a second one is refused, not a crash
    assert Robot.objects.filter(unit=zjj, kind="wecom").count() == 1


def test_a_dingtalk_robot_needs_its_secret(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        save_robot(
            user=people["office"],
            unit=UnitFactory(),
            kind=RobotKind.DINGTALK,
            webhook="https://oapi.dingtalk.com/robot/send?access_token=t",
        )


def test_in_app_deliveries_of_the_demo_are_all_sent(cast):
    assert not Delivery.objects.filter(channel=Channel.APP).exclude(status="sent").exists()


def test_removing_a_robot_cancels_what_it_has_not_delivered(
    client, work, settings, django_assert_max_num_queries
):
    from reminders.models import DeliveryStatus

    # the unit's robots, pointed at a loopback port where nothing listens
    settings.LUOSHI_ROBOT_HOSTS = ["http://127.0.0.1:9"]
    zjj, cast = work["unit"], work
    for kind, secret in ((RobotKind.WECOM, ""), (RobotKind.DINGTALK, "SECdown")):
        save_robot(
            user=None, unit=zjj, kind=kind, webhook=f"http://127.0.0.1:9/{kind}", secret=secret
        )
    robot = Robot.objects.get(unit=zjj, kind=RobotKind.WECOM)
    run_reminders(as_of=dt.date(2024, 7, 22))
    failed = Delivery.objects.filter(robot=robot, status=DeliveryStatus.FAILED)
    assert failed.exists()
    ids = list(failed.values_list("pk", flat=True))
    client.force_login(cast["office"])
    assert client.post(reverse("reminders:robot_remove", args=[robot.pk])).status_code == 302
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        DeliveryStatus.CANCELLED
    }
    again = run_reminders(as_of=dt.date(2024, 7, 22))
    assert again.stats.failed  # the DingTalk robot is still down
    assert not {d.pk for d in again.stats.failed} & set(ids)


def test_my_reminders_page_runs_a_bounded_number_of_queries(
    client, reminded, django_assert_max_num_queries
):
    client.force_login(reminded["zjj"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reminders:inbox")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reminders:bell")).status_code == 200


def test_the_pages_cost_the_same_with_more_reminders(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost() -> dict[str, int]:
        counts = {}
        for username, name in [
            ("office", "reminders:reminder_list"),
            ("zjj", "reminders:inbox"),
            ("leader", "reminders:reminder_list"),
        ]:
            client.force_login(cast[username])
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            counts[f"{username} {name}"] = len(queries)
        return counts

    before = cost()
    total = Reminder.objects.count()
    for day in (dt.date(2024, 8, 1), dt.date(2024, 9, 2), dt.date(2024, 10, 8)):
        run_reminders(as_of=day)
    assert Reminder.objects.count() > total + 50
    assert cost() == before
