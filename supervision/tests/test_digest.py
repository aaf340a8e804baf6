"""The leaders' weekly digest: figures of their units from the read model with last week's
changes, overdue items, sign-offs waiting — sent by e-mail (a real SMTP server on loopback)
and to the leader's robot (a real webhook server on loopback), once a week; the same on a
phone-first page."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from org.models import Leader
from org.tests.factories import LeaderFactory, UnitFactory
from reminders import services as reminders
from reminders.models import Reminder, RobotKind
from reminders.tests.servers import RobotServer, SmtpServer
from supervision.digest import digest_for

from .factories import funded, lagging_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db) -> dict:
    """Three units behind on their items (factories.lagging_units), two of them 李华's with a
    target and money secured; 李华 has an e-mail address, and a third leader, 张明, no
    account."""
    city = lagging_units()
    funded(city["unit"], target_wan=36000, secured_wan=22000)
    funded(city["cgj"], target_wan=5000, secured_wan=1000)
    city["leader"].email = "leader@example.gov.cn"
    city["leader"].save(update_fields=["email"])
    LeaderFactory(name="张明", oversees=[UnitFactory()])
    return city


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.LUOSHI_SMTP_ENABLED = True
    settings.LUOSHI_BASE_URL = "https://luoshi.example.gov.cn"
    yield server
    server.stop()


@pytest.fixture
def robots(settings):
    server = RobotServer().start()
    settings.LUOSHI_ROBOT_HOSTS = [f"http://127.0.0.1:{server.port}"]
    settings.LUOSHI_ROBOT_INTERVAL_SECONDS = 0
    yield server
    server.stop()


def digest(*args) -> str:
    out = StringIO()
    call_command("digest", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_each_leader_gets_the_digest_by_mail_and_robot_once_a_week(
    city, smtp, robots, django_capture_on_commit_callbacks
):
    li = Leader.objects.get(name="李华")
    reminders.save_robot(user=None, leader=li, kind=RobotKind.WECOM, webhook=robots.wecom_url)
    with django_capture_on_commit_callbacks(execute=True):  # what a real run's commits do
        out = digest("--as-of", "2024-09-30")
    assert "李华" in out
    to_leader = [m for m in smtp.messages if m.rcpt_tos == ["leader@example.gov.cn"]]
    assert len(to_leader) == 1
    text = to_leader[0].original_content.decode("utf-8", "replace")
    assert "市住房和城乡建设局" in text or "=E5" in text  # the body (maybe encoded)
    assert [kind for kind, _p in robots.received] == ["wecom"]
    content = robots.received[0][1]["markdown"]["content"]
    assert "市住房和城乡建设局" in content and "GZ-08" in content
    # the leaders without an account are reached through the office
    relays = Reminder.objects.filter(source="digest", recipient_user=city["office"])
    assert relays.count() == Leader.objects.filter(user__isnull=True).count() > 0
    # once a week
    with django_capture_on_commit_callbacks(execute=True):
        again = digest("--as-of", "2024-10-02")
    assert "跳过" in again.splitlines()[-1] or "skipped" in again.splitlines()[-1]
    assert len(robots.received) == 1


def test_a_dry_run_sends_nothing(city):
    out = digest("--as-of", "2024-09-30", "--dry-run")
    assert "GZ-08" in out and not Reminder.objects.filter(source="digest").exists()


def test_the_digest_reads_the_figures_of_the_leaders_units_and_the_weeks_change(city):
    li = Leader.objects.get(name="李华")
    result = digest_for(li, dt.date(2024, 6, 30))
    # the task departments among the units they oversee (those with a target: the league)
    codes = {u.code for u in result.units}
    assert "ZJJ" in codes and codes <= set(li.oversees.values_list("code", flat=True))
    assert result.since == dt.date(2024, 6, 23)
    assert result.secured == sum(u.secured for u in result.units) > 0
    assert all(u.change >= 0 for u in result.units)
    assert any(i["code"] == "GZ-08" for i in result.overdue)


def test_the_phone_page_is_the_leaders_own(city, client):
    cast = city
    client.force_login(cast["leader"])
    page = client.get("/supervision/digest/", {"as_of": "2024-09-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="digest-secured"' in html and 'data-unit="ZJJ"' in html
    assert page.context["digest"].leader.name == "李华"
    client.force_login(cast["zjj"])
    assert client.get("/supervision/digest/").status_code == 403
    client.force_login(cast["office"])
    other = Leader.objects.exclude(name="李华").first()
    page = client.get("/supervision/digest/", {"leader": other.pk})
    assert page.context["digest"].leader == other
    assert client.get("/supervision/digest/", {"leader": "x"}).status_code == 200


def test_a_digest_run_anchors_the_audit_trail_and_a_dry_run_does_not(city):
    """Issue 25 point 1: `digest` anchors the trail as `remind` does, its own events included."""
    from audit import anchors
    from audit.models import AuditEvent

    digest("--as-of", "2024-09-30", "--dry-run")
    assert anchors.read_anchors() == []
    digest("--as-of", "2024-09-30")
    written = anchors.read_anchors()
    assert len(written) == 1
    event = AuditEvent.objects.get(id=written[0].event_id)
    assert event.action == "audit.anchored" and event.actor_name == "luoshi digest"
    assert AuditEvent.objects.filter(action="reminders.reminder.created", id__lt=event.id).exists()
