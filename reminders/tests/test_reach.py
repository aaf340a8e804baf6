"""Delivery that tells the truth: what reached no one is listed, never counted as sent; the
office's 无法送达 list with links to fix it; a fix reaches the unit on the next run; a title
with a line break is mailed with the break folded."""

import email
import json
from email.policy import default
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from org.models import Unit
from policy.models import WorkItem
from reminders import services
from reminders.models import Delivery, DeliveryStatus, Reminder, RobotKind

from .factories import pressing_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(db) -> dict:
    """A unit's pressing work and its people, and a co-unit nobody in Luoshi belongs to
    (factories.pressing_work)."""
    return pressing_work()


def remind_json(*args) -> dict:
    out = StringIO()
    call_command("remind", *args, "--format", "json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_what_reaches_no_one_is_listed_and_not_counted_as_sent(work):
    result = remind_json("--as-of", "2024-07-01")
    assert set(result) >= {"sent", "deliveries", "failed", "skipped", "unreachable"}
    reached = Reminder.objects.filter(deliveries__isnull=False).distinct().count()
    nobody = Reminder.objects.filter(deliveries__isnull=True)
    assert result["sent"] == reached > 0
    assert len(result["unreachable"]) == nobody.count() > 0
    codes = {row["unit"] for row in result["unreachable"]}
    assert work["unit"].code not in codes  # the unit has people with accounts
    assert work["helper"].code in codes  # the co-unit has none
    assert codes <= set(Unit.objects.values_list("code", flat=True))
    assert all(row["subject"] for row in result["unreachable"])
    assert result["deliveries"] == Delivery.objects.filter(status=DeliveryStatus.SENT).count()


def test_a_dry_run_says_the_same(work):
    dry = remind_json("--as-of", "2024-07-01", "--dry-run")
    assert Reminder.objects.count() == 0
    real = remind_json("--as-of", "2024-07-01")
    assert dry["sent"] == real["sent"]
    assert sorted(map(str, dry["unreachable"])) == sorted(map(str, real["unreachable"]))


def test_the_office_sees_who_cannot_be_reached_and_a_fix_reaches_them_next_run(
    work, client, robots, settings
):
    cast = work
    settings.LUOSHI_ROBOT_HOSTS = [f"http://127.0.0.1:{robots.port}"]
    first = remind_json("--as-of", "2024-07-01")
    unit_code = first["unreachable"][0]["unit"]
    unit = Unit.objects.get(code=unit_code)
    client.force_login(cast["office"])
    page = client.get(reverse("reminders:unreachable"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-unit="{unit_code}"' in html
    assert reverse("org:unit_detail", kwargs={"pk": unit.pk}) in html
    assert f"{reverse('reminders:robot_list')}?unit={unit.pk}" in html
    assert "无法送达" in client.get(reverse("reminders:reminder_list")).content.decode()

    services.save_robot(user=None, unit=unit, kind=RobotKind.WECOM, webhook=robots.wecom_url)
    again = remind_json("--as-of", "2024-07-02")
    assert unit_code not in {row["unit"] for row in again["unreachable"]}
    assert again["sent"] >= 1
    assert len(robots.received) >= 1
    fixed = Reminder.objects.filter(recipient_unit=unit, as_of="2024-07-01")
    assert fixed.exists() and not fixed.filter(deliveries__isnull=True).exists()


def test_a_title_with_a_line_break_is_mailed_folded_not_failed_for_ever(work, smtp, mail_settings):
    mail_settings(smtp.port)
    work["zjj"].email = "zjj@example.gov.cn"  # someone of the unit is mailed
    work["zjj"].save(update_fields=["email"])
    item = work["overdue"][1]
    WorkItem.objects.filter(pk=item.pk).update(title="老旧小区改造\r\nBcc: evil@example.com")
    result = remind_json("--as-of", "2024-07-01")
    assert result["failed"] == 0
    mails = [email.message_from_bytes(m.original_content, policy=default) for m in smtp.messages]
    folded = [m for m in mails if "老旧小区改造" in str(m["Subject"])]
    assert folded, [str(m["Subject"]) for m in mails]
    assert all("老旧小区改造 Bcc: evil@example.com" in str(m["Subject"]) for m in folded)
    assert all(m["Bcc"] is None for m in mails)
    assert all(m.rcpt_tos != ["evil@example.com"] for m in smtp.messages)
    assert not Delivery.objects.filter(status=DeliveryStatus.FAILED).exists()
