"""Reminders (催办): the only write path for reminders, their deliveries and the units' robots.

Public service for other apps — urge a unit or a person:

    from reminders.services import notify

    notify(unit_or_user, subject="请于7月10日前报送调度材料", body="…", key="dispatch:12:urge",
           url="/supervision/dispatch/12/", actor=request.user)

- `recipient`: an `org.Unit` (its liaison officers — its head when it has none — in the app and
  by e-mail, and the unit's WeCom/DingTalk robots) or a user (in the app and by e-mail).
- `key`: what the message is about, unique for that subject and stage (e.g. one urge round);
  it is combined with the recipient, so the same `key` to the same recipient is sent once only:
  a second call returns None and sends nothing.
- `actor`: the user urging (the office, or a leader for the units they oversee), or None for
  the system (a command). Raises PermissionDenied otherwise.
- optional: `unit` (the unit concerned, for who may see the reminder; default the recipient
  unit or the person's unit), `due_on`, `stage`, `source`, `as_of` (issued on, default today).
- The reminder and its deliveries are written in the caller's transaction with their audit
  events; outside channels are tried after the commit (`transaction.on_commit`). A channel
  that is down leaves its delivery `failed`; `luoshi remind` tries it again on its next run.

`run_reminders(as_of=…, dry_run=…)` is what `luoshi remind` runs: every source in
`reminders.sources.SOURCES` proposes notices, those whose key is new are created and sent, and
failed deliveries of earlier runs are retried.
"""

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from common.permissions import Role, role_of
from common.services import require
from org.models import Unit

from . import channels
from .models import Channel, Delivery, DeliveryStatus, Reminder, Robot, RobotKind

User = get_user_model()
logger = logging.getLogger(__name__)

# A delivery left "sending" this long ago belongs to a run that died: it is tried again.
STALE_SENDING = dt.timedelta(minutes=15)


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
        for robot in Robot.objects.filter(unit=recipient, enabled=True).order_by("kind"):
            rows.append({"channel": robot.kind, "address": f"robot:{robot.pk}", "robot": robot})
    return rows


# --- creating reminders ------------------------------------------------------------------------


def create_reminder(
    notice: Notice, *, as_of: dt.date, user=None, addresses: dict | None = None
) -> Reminder | None:
    """Create the reminder of `notice` and its deliveries, unless its key exists (→ None).

    In-app deliveries are delivered by being written; the others wait for `deliver_pending`.
    Audited: the reminder, and each in-app delivery as sent.
    """
    key = notice.key
    if Reminder.objects.filter(key=key).exists():
        return None
    recipient = notice.recipient
    unit = notice.unit
    if unit is None:
        unit = recipient if isinstance(recipient, Unit) else _unit_of(recipient)
    now = timezone.now()
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                key=key,
                source=notice.source[:40],
                stage=notice.stage[:40],
                topic=notice.topic[:100],
                unit=unit,
                recipient_unit=recipient if isinstance(recipient, Unit) else None,
                recipient_user=None if isinstance(recipient, Unit) else recipient,
                subject=notice.subject[:200],
                body=notice.body,
                url=(notice.url or "")[:300],
                due_on=notice.due_on,
                as_of=as_of,
                created_at=now,
            )
            deliveries = []
            for row in _addresses(recipient, addresses):
                in_app = row["channel"] == Channel.APP
                deliveries.append(
                    Delivery.objects.create(
                        reminder=reminder,
                        created_at=now,
                        status=DeliveryStatus.SENT if in_app else DeliveryStatus.PENDING,
                        attempts=1 if in_app else 0,
                        sent_at=now if in_app else None,
                        last_attempt_at=now if in_app else None,
                        **row,
                    )
                )
            record(
                "reminders.reminder.created",
                reminder,
                after={
                    **snapshot(reminder),
                    "deliveries": [f"{d.channel} {_shown_address(d)}" for d in deliveries],
                },
                user=user,
            )
            for delivery in deliveries:
                if delivery.channel == Channel.APP:
                    _record_delivery(delivery, success=True, user=user)
    except IntegrityError:
        # another run created the same key meanwhile: it is sent once, by that run
        return None
    return reminder


def _unit_of(person) -> Unit | None:
    membership = getattr(person, "membership", None)
    return membership.unit if membership is not None else None


def _shown_address(delivery: Delivery) -> str:
    if delivery.robot_id is not None:
        return delivery.robot.masked_webhook
    return delivery.address


def _record_delivery(delivery: Delivery, *, success: bool, user=None) -> None:
    record(
        "reminders.delivery.sent" if success else "reminders.delivery.failed",
        delivery,
        after={
            "reminder": delivery.reminder_id,
            "channel": delivery.channel,
            "address": _shown_address(delivery),
            "attempts": delivery.attempts,
            "error": delivery.last_error,
        },
        success=success,
        user=user,
    )


def _may_notify(actor, unit: Unit | None) -> bool:
    role = role_of(actor)
    if role == Role.OFFICE:
        return True
    if role == Role.LEADER and unit is not None:
        leader = getattr(actor, "leader", None)
        return leader is not None and leader.oversees.filter(pk=unit.pk).exists()
    return False


def notify(
    recipient,
    *,
    subject: str,
    body: str,
    key: str,
    url: str | None = None,
    actor=None,
    unit: Unit | None = None,
    due_on: dt.date | None = None,
    stage: str = "",
    source: str = "notify",
    as_of: dt.date | None = None,
) -> Reminder | None:
    """Urge a unit or a person (see the module docstring). Returns the reminder, or None when
    the same key was already sent to this recipient."""
    if recipient is None:
        raise ValidationError(_("A reminder needs a recipient."))
    concerned = unit or (recipient if isinstance(recipient, Unit) else _unit_of(recipient))
    if actor is not None:
        require(_may_notify(actor, concerned))
    notice = Notice(
        recipient=recipient,
        subject=subject,
        body=body,
        topic=key,
        stage=stage,
        source=source,
        unit=concerned,
        due_on=due_on,
        url=url or "",
    )
    with transaction.atomic():
        reminder = create_reminder(notice, as_of=as_of or timezone.localdate(), user=actor)
    if reminder is not None:
        reminder_id = reminder.pk
        transaction.on_commit(lambda: deliver_pending(reminder_ids=[reminder_id], user=actor))
    return reminder


# --- delivering --------------------------------------------------------------------------------


@dataclass
class DeliveryStats:
    delivered: int = 0
    retried: int = 0  # delivered on a later attempt than the first
    failed: list[Delivery] = field(default_factory=list)


def _send(delivery: Delivery) -> None:
    reminder = delivery.reminder
    if delivery.channel == Channel.EMAIL:
        channels.send_email(delivery.address, reminder.subject, reminder.body, reminder.url)
        return
    robot = delivery.robot
    if robot is None:
        raise channels.ChannelError(_("The robot was removed."))
    if not robot.enabled:
        raise channels.ChannelError(_("The robot is switched off."))
    if robot.kind == RobotKind.WECOM:
        channels.send_wecom(robot.webhook, reminder.subject, reminder.body, reminder.url)
    else:
        channels.send_dingtalk(
            robot.webhook, robot.secret, reminder.subject, reminder.body, reminder.url
        )


def deliver_pending(*, reminder_ids: list[int] | None = None, user=None) -> DeliveryStats:
    """Try every outside delivery not yet delivered (new, failed before, or left "sending" by
    a run that died). Each attempt is claimed first, so two runs never send the same one, and
    audited after; a failure is kept with its error for the next run. Never raises for a
    channel's failure."""
    now = timezone.now()
    waiting = Delivery.objects.exclude(channel=Channel.APP).filter(
        Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
        | Q(status=DeliveryStatus.SENDING, last_attempt_at__lt=now - STALE_SENDING)
    )
    if reminder_ids is not None:
        waiting = waiting.filter(reminder_id__in=reminder_ids)
    stats = DeliveryStats()
    interval = getattr(settings, "LUOSHI_ROBOT_INTERVAL_SECONDS", 3.1)
    last_to_robot: dict[int, float] = {}
    for delivery in waiting.select_related("reminder", "robot").order_by("pk"):
        claimed = Delivery.objects.filter(
            pk=delivery.pk, status=delivery.status, attempts=delivery.attempts
        ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
        if not claimed:
            continue
        delivery.attempts += 1
        if delivery.robot_id is not None:
            # a group robot takes 20 messages a minute (WeCom and DingTalk alike)
            wait = last_to_robot.get(delivery.robot_id, -interval) + interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            last_to_robot[delivery.robot_id] = time.monotonic()
        try:
            _send(delivery)
        except channels.ChannelError as exc:
            error = str(exc)
        except Exception as exc:  # a bug in a channel must not stop the others
            error = f"{type(exc).__name__}: {exc}"[:500]
        else:
            error = ""
        with transaction.atomic():
            delivery.last_error = error
            delivery.last_attempt_at = timezone.now()
            if error:
                delivery.status = DeliveryStatus.FAILED
                stats.failed.append(delivery)
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = delivery.last_attempt_at
                stats.delivered += 1
                if delivery.attempts > 1:
                    stats.retried += 1
            delivery.save(update_fields=["status", "last_error", "last_attempt_at", "sent_at"])
            _record_delivery(delivery, success=not error, user=user)
    return stats


# --- the daily run -----------------------------------------------------------------------------


@dataclass
class RunResult:
    as_of: dt.date
    dry_run: bool
    created: list[Reminder] = field(default_factory=list)
    would_send: list[Notice] = field(default_factory=list)
    skipped: int = 0
    no_channel: int = 0
    in_app: int = 0  # in-app deliveries: delivered by being written
    waiting_retry: int = 0  # dry run: deliveries a real run would try again
    stats: DeliveryStats = field(default_factory=DeliveryStats)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # sources that failed

    @property
    def sent(self) -> int:
        return len(self.would_send) if self.dry_run else len(self.created)

    def summary(self) -> str:
        if self.dry_run:
            return _(
                "Would send %(sent)d reminders (dry run, nothing sent), %(retry)d deliveries "
                "waiting to be retried, skipped %(skipped)d already sent"
            ) % {"sent": self.sent, "retry": self.waiting_retry, "skipped": self.skipped}
        text = _(
            "Sent %(sent)d reminders (%(delivered)d deliveries, %(retried)d of them retries), "
            "%(failed)d failed (will retry on the next run), skipped %(skipped)d already sent"
        ) % {
            "sent": self.sent,
            "delivered": self.in_app + self.stats.delivered,
            "retried": self.stats.retried,
            "failed": len(self.stats.failed),
            "skipped": self.skipped,
        }
        if self.no_channel:
            text += _(", %(count)d with no one to receive them (no account or robot)") % {
                "count": self.no_channel
            }
        return text


def run_reminders(*, as_of: dt.date, dry_run: bool = False, sources=None) -> RunResult:
    """Create and send the reminders due on `as_of` (see `reminders.sources`), then retry
    what failed before. A dry run writes nothing and says what it would send."""
    from .sources import SOURCES, RunContext

    context = RunContext.for_date(as_of)
    result = RunResult(as_of=as_of, dry_run=dry_run)
    if context.warning:
        result.warnings.append(context.warning)
    seen: set[str] = set()
    addresses: dict = {}
    for source in sources if sources is not None else SOURCES:
        notices = []
        try:
            proposed = list(source(context))
        except Exception as exc:  # one broken source must not stop the others' reminders
            logger.exception("reminder source %s failed", getattr(source, "__name__", source))
            result.errors.append(
                _("The source %(source)s failed and sent nothing: %(error)s")
                % {"source": getattr(source, "__name__", str(source)), "error": exc}
            )
            continue
        for notice in proposed:
            if notice.key not in seen:
                seen.add(notice.key)
                notices.append(notice)
        keys = [n.key for n in notices]
        sent_before = set()
        for start in range(0, len(keys), 500):
            sent_before.update(
                Reminder.objects.filter(key__in=keys[start : start + 500]).values_list(
                    "key", flat=True
                )
            )
        for notice in notices:
            if notice.key in sent_before:
                result.skipped += 1
                continue
            if dry_run:
                result.would_send.append(notice)
                continue
            with transaction.atomic():
                reminder = create_reminder(notice, as_of=as_of, addresses=addresses)
            if reminder is None:
                result.skipped += 1
                continue
            result.created.append(reminder)
            on = list(reminder.deliveries.values_list("channel", flat=True))
            result.in_app += on.count(Channel.APP)
            if not on:
                result.no_channel += 1
        # a source is read whole before its reminders are written; later sources
        # (escalation) read what earlier ones created in this run
    if dry_run:
        result.waiting_retry = (
            Delivery.objects.exclude(channel=Channel.APP)
            .exclude(status=DeliveryStatus.SENT)
            .count()
        )
        return result
    result.stats = deliver_pending()
    return result


# --- reading and robots ----------------------------------------------------------------------


@transaction.atomic
def mark_read(*, user, delivery_ids: list[int] | None = None) -> int:
    """Mark the user's own in-app notices read (all unread ones when no ids). Returns how many."""
    require(user is not None and user.is_authenticated)
    unread = Delivery.objects.unread_for(user)
    if delivery_ids is not None:
        unread = unread.filter(pk__in=delivery_ids)
    ids = list(unread.values_list("pk", flat=True))
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).update(read_at=timezone.now())
    record(
        "reminders.delivery.read",
        None,
        after={"deliveries": ids},
        user=user,
        object_type="reminders.delivery",
        object_repr=_("%(count)d reminders read") % {"count": len(ids)},
    )
    return len(ids)


def _robot_snapshot(robot: Robot) -> dict:
    return {
        "unit": robot.unit_id,
        "kind": robot.kind,
        "webhook": robot.masked_webhook,
        "secret": robot.masked_secret,
        "enabled": robot.enabled,
        "version": robot.version,
    }


@transaction.atomic
def save_robot(
    *,
    user,
    unit: Unit,
    kind: str,
    webhook: str,
    secret: str | None = None,
    enabled: bool = True,
    expected_version: int | None = None,
) -> tuple[Robot, bool]:
    """Create or change a unit's robot (office only). `secret=None` keeps the stored secret,
    so the form never has to show it back. Audited with the secret and token masked."""
    if user is not None:
        require(role_of(user) == Role.OFFICE)
    if kind not in RobotKind.values:
        raise ValidationError(_("Unknown robot kind."))
    webhook = (webhook or "").strip()
    if not webhook.startswith(("https://", "http://")):
        raise ValidationError(_("The webhook must be an http(s) address."), code="webhook")
    robot = Robot.objects.select_for_update().filter(unit=unit, kind=kind).first()
    if robot is None:
        if kind == RobotKind.DINGTALK and not secret:
            raise ValidationError(
                _("A DingTalk robot needs its signing secret (加签 SEC…)."), code="secret"
            )
        robot = Robot.objects.create(
            unit=unit, kind=kind, webhook=webhook, secret=secret or "", enabled=enabled
        )
        record("reminders.robot.created", robot, after=_robot_snapshot(robot), user=user)
        return robot, True
    check_version(robot, expected_version)
    before = _robot_snapshot(robot)
    new_secret = robot.secret if secret is None or secret == "" else secret
    if (robot.webhook, robot.secret, robot.enabled) == (webhook, new_secret, enabled):
        return robot, False
    robot.webhook, robot.secret, robot.enabled = webhook, new_secret, enabled
    robot.version += 1
    robot.save(update_fields=["webhook", "secret", "enabled", "version"])
    after = {**_robot_snapshot(robot), "secret_changed": secret not in (None, "")}
    record("reminders.robot.changed", robot, before=before, after=after, user=user)
    return robot, True


@transaction.atomic
def remove_robot(*, user, robot: Robot) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)
    before = _robot_snapshot(robot)
    # what it has not delivered yet can no longer go anywhere: said so, not retried for ever
    cancelled = Delivery.objects.filter(robot=robot).exclude(status=DeliveryStatus.SENT)
    count = cancelled.update(
        status=DeliveryStatus.CANCELLED, last_error=_("The robot was removed.")
    )
    record(
        "reminders.robot.removed",
        robot,
        before=before,
        after={"deliveries_cancelled": count},
        user=user,
    )
    robot.delete()


def ensure_office(user) -> None:
    if role_of(user) != Role.OFFICE:
        raise PermissionDenied
