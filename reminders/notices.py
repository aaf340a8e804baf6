"""What a reminder is and who receives it: the notice a source proposes, its key, and the
people, addresses and robots it goes to (read by the sources and the services alike)."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from common.permissions import Role
from org.models import Unit

from .models import Channel, Robot

User = get_user_model()


@dataclass(frozen=True)
class Notice:
    """A reminder a source proposes; created (and sent) only when its key is new."""

    recipient: object  # org.Unit or a user
    subject: str
    body: str
    topic: str
    stage: str = ""
    source: str = "notify"
    unit: Unit | None = None
    due_on: dt.date | None = None
    url: str = ""

    @property
    def key(self) -> str:
        return reminder_key(self.topic, self.recipient, self.due_on, self.stage)


def recipient_tag(recipient) -> str:
    if isinstance(recipient, Unit):
        return f"unit:{recipient.pk}"
    return f"user:{recipient.pk}"


def reminder_key(topic: str, recipient, due_on: dt.date | None, stage: str) -> str:
    """subject + recipient + due date + stage: the same key is never sent twice."""
    key = f"{topic}|{recipient_tag(recipient)}|{due_on.isoformat() if due_on else '-'}|{stage}"
    if len(key) > 255:
        key = key[:200] + "#" + hashlib.sha256(key.encode()).hexdigest()[:40]
    return key


# --- who receives a reminder -----------------------------------------------------------------


def unit_contacts(unit: Unit) -> list:
    """The people a unit's reminders reach: its liaison officers, else its head(s)."""
    people = list(
        User.objects.filter(is_active=True, membership__unit=unit)
        .filter(membership__role__in=[Role.UNIT_OFFICER, Role.UNIT_HEAD])
        .select_related("membership")
        .order_by("pk")
    )
    officers = [p for p in people if p.membership.role == Role.UNIT_OFFICER]
    return officers or people


def unit_heads(unit: Unit) -> list:
    return list(
        User.objects.filter(
            is_active=True, membership__unit=unit, membership__role=Role.UNIT_HEAD
        ).order_by("pk")
    )


def office_users() -> list:
    return list(User.objects.filter(is_active=True, membership__role=Role.OFFICE).order_by("pk"))


def email_enabled() -> bool:
    return bool(getattr(settings, "LUOSHI_SMTP_ENABLED", False))


def _addresses(recipient, cache: dict | None = None) -> list[dict]:
    """The deliveries of a reminder to `recipient`: one per channel and address (`cache`: a
    run's memory of them, per recipient)."""
    if cache is not None:
        tag = recipient_tag(recipient)
        if tag not in cache:
            cache[tag] = _addresses(recipient)
        return cache[tag]
    people = unit_contacts(recipient) if isinstance(recipient, Unit) else [recipient]
    rows = []
    for person in people:
        rows.append({"channel": Channel.APP, "address": f"user:{person.pk}", "user": person})
    if email_enabled():
        for person in people:
            if person.email:
                rows.append({"channel": Channel.EMAIL, "address": person.email, "user": person})
    if isinstance(recipient, Unit):
        robots = Robot.objects.filter(unit=recipient, enabled=True)
    else:  # a leader's own robot (their digest, escalations to them)
        robots = Robot.objects.filter(leader__user=recipient, enabled=True)
    for robot in robots.order_by("kind"):
        rows.append({"channel": robot.kind, "address": f"robot:{robot.pk}", "robot": robot})
    return rows
