"""签收: a reminder is acknowledged by its recipient in the app or through the message's link
(after login); the office sees who has not; one not acknowledged within N working days is
escalated like silence."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from reminders.models import Reminder
from reminders.sources import ESCALATE_HEAD

from .factories import pressing_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(db) -> dict:
    """A unit's pressing work and its people (factories.pressing_work); its officer has the
    demo officer's e-mail address."""
    work = pressing_work()
    work["zjj"].email = "zjj@example.gov.cn"
    work["zjj"].save(update_fields=["email"])
    return work


def remind(day: str) -> None:
    call_command("remind", "--as-of", day, stdout=StringIO(), stderr=StringIO())


def test_the_mailed_link_acknowledges_after_login(work, client, smtp, mail_settings):
    cast = work
    mail_settings(smtp.port)
    remind("2024-07-01")
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    acks = AuditEvent.objects.filter(action="reminders.reminder.acknowledged", id__gt=start)
    mail = next(m for m in smtp.messages if m.rcpt_tos == ["zjj@example.gov.cn"])
    link = re.search(
        rb"https://luoshi\.example\.gov\.cn(/reminders/\d+/ack/)", mail.original_content
    )
    assert link, mail.original_content[-400:]
    path = link.group(1).decode()
    reminder = Reminder.objects.get(pk=int(path.split("/")[2]))
    assert client.get(path).status_code == 302  # to the login page first
    client.force_login(cast["leader"])
    assert client.get(path).status_code == 404  # not theirs to acknowledge
    client.force_login(cast["zjj_head"])  # anyone of the unit it went to
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == reminder.url
    reminder.refresh_from_db()
    assert reminder.acknowledged_by == cast["zjj_head"] and reminder.acknowledged_at
    assert acks.count() == 1
    client.post(path)  # again: nothing changes
    assert acks.count() == 1


def test_the_office_sees_who_has_not_acknowledged(work, client):
    cast = work
    remind("2024-07-01")
    zjj = work["unit"]
    first, second = Reminder.objects.filter(recipient_unit=zjj).order_by("pk")[:2]
    client.force_login(cast["zjj"])
    client.post(reverse("reminders:acknowledge", kwargs={"pk": first.pk}))
    client.force_login(cast["office"])
    page = client.get(reverse("reminders:reminder_list"), {"unacknowledged": "1"})
    shown = {r.pk for r in page.context["page"].object_list}
    assert second.pk in shown and first.pk not in shown
    assert "未签收" in page.content.decode()


def test_not_acknowledged_in_two_working_days_goes_to_the_head(work):
    cast = work
    remind("2024-07-01")
    zjj = work["unit"]
    sent = list(Reminder.objects.filter(recipient_unit=zjj, source="milestone"))
    assert sent
    acknowledged = sent[0]
    acknowledged.acknowledged_at = dt.datetime(2024, 7, 2, 9, tzinfo=dt.UTC)
    acknowledged.acknowledged_by = cast["zjj"]
    acknowledged.save()
    remind("2024-07-02")  # one working day: too soon
    assert not Reminder.objects.filter(source="unacknowledged").exists()
    remind("2024-07-03")  # two working days
    escalated = Reminder.objects.filter(source="unacknowledged", stage=ESCALATE_HEAD, unit=zjj)
    assert escalated.exists()
    assert set(escalated.values_list("recipient_user", flat=True)) == {cast["zjj_head"].pk}
    topics = set(escalated.values_list("topic", flat=True))
    assert (
        acknowledged.topic not in topics
        or len(sent) > 1
        and all(r.topic != acknowledged.topic or r.due_on != acknowledged.due_on for r in escalated)
    )
    assert "签收" in escalated.first().body
