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

from . import channels, webhooks
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
        robots = Robot.objects.filter(unit=recipient, enabled=True)
    else:  # a leader's own robot (their digest, escalations to them)
        robots = Robot.objects.filter(leader__user=recipient, enabled=True)
    for robot in robots.order_by("kind"):
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
            deliveries = _add_deliveries(reminder, _addresses(recipient, addresses), now)
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


def _add_deliveries(reminder: Reminder, rows: list[dict], now) -> list[Delivery]:
    """One delivery per channel and address. In-app ones are delivered by being written;
    the others wait for `deliver_pending`."""
    deliveries = []
    for row in rows:
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
    return deliveries


def readdress(reminder: Reminder, *, addresses: dict | None = None, user=None) -> bool:
    """A reminder that reached no one is given the recipients its unit has now (a person, an
    address or a robot added since): the office's fix reaches the unit on the next run,
    though the reminder's key was used. Returns whether it now goes somewhere."""
    recipient = reminder.recipient_unit or reminder.recipient_user
    rows = _addresses(recipient, addresses)
    if not rows:
        return False
    with transaction.atomic():
        locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
        if locked.deliveries.exists():
            return False  # another run did it meanwhile
        deliveries = _add_deliveries(locked, rows, timezone.now())
        record(
            "reminders.reminder.readdressed",
            locked,
            after={"deliveries": [f"{d.channel} {_shown_address(d)}" for d in deliveries]},
            user=user,
        )
        for delivery in deliveries:
            if delivery.channel == Channel.APP:
                _record_delivery(delivery, success=True, user=user)
    return True


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
    from django.urls import reverse

    reminder = delivery.reminder
    # the message's link acknowledges (签收, after login) and then opens what it is about
    link = reverse("reminders:acknowledge", kwargs={"pk": reminder.pk})
    if delivery.channel == Channel.EMAIL:
        channels.send_email(delivery.address, reminder.subject, reminder.body, link)
        return
    robot = delivery.robot
    if robot is None:
        raise channels.ChannelError(_("The robot was removed."))
    if not robot.enabled:
        raise channels.ChannelError(_("The robot is switched off."))
    if robot.kind == RobotKind.WECOM:
        channels.send_wecom(robot.webhook, reminder.subject, reminder.body, link)
    else:
        channels.send_dingtalk(robot.webhook, robot.secret, reminder.subject, reminder.body, link)


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
    # reminders of earlier runs that reached no one and go to someone now (the unit was fixed)
    readdressed: list[Reminder] = field(default_factory=list)
    # what reached no one: no person, no address, no robot (reminders; notices in a dry run)
    unreachable: list = field(default_factory=list)
    reached_ids: set[int] = field(default_factory=set)
    skipped: int = 0
    in_app: int = 0  # in-app deliveries: delivered by being written
    waiting_retry: int = 0  # dry run: deliveries a real run would try again
    stats: DeliveryStats = field(default_factory=DeliveryStats)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # sources that failed

    @property
    def sent(self) -> int:
        """Reminders that reached someone (a dry run: would go to someone). One that reached
        no one is never counted as sent."""
        if self.dry_run:
            return len(self.would_send)
        return len(self.reached_ids)

    @property
    def no_channel(self) -> int:
        return len(self.unreachable)

    def unreachable_pairs(self) -> list[tuple[Unit | None, str]]:
        """(unit, subject) of what reached no one."""
        pairs = []
        for item in self.unreachable:
            if isinstance(item, Notice):
                recipient = item.recipient
                unit = item.unit or (recipient if isinstance(recipient, Unit) else None)
            else:
                unit = item.recipient_unit or item.unit
            pairs.append((unit, item.subject))
        return pairs

    def unreachable_rows(self) -> list[dict]:
        """[{`unit` (code), `subject`}] of what reached no one (`luoshi remind --format json`)."""
        return [
            {"unit": unit.code if unit else None, "subject": subject}
            for unit, subject in self.unreachable_pairs()
        ]

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "sent": self.sent,
            "deliveries": 0 if self.dry_run else self.in_app + self.stats.delivered,
            "failed": len(self.stats.failed),
            "skipped": self.skipped,
            "unreachable": self.unreachable_rows(),
        }

    def summary(self) -> str:
        if self.dry_run:
            text = _(
                "Would send %(sent)d reminders (dry run, nothing sent), %(retry)d deliveries "
                "waiting to be retried, skipped %(skipped)d already sent"
            ) % {"sent": self.sent, "retry": self.waiting_retry, "skipped": self.skipped}
        else:
            text = _(
                "Sent %(sent)d reminders (%(delivered)d deliveries, %(retried)d of them "
                "retries), %(failed)d failed (will retry on the next run), skipped %(skipped)d "
                "already sent"
            ) % {
                "sent": self.sent,
                "delivered": self.in_app + self.stats.delivered,
                "retried": self.stats.retried,
                "failed": len(self.stats.failed),
                "skipped": self.skipped,
            }
        if self.unreachable:
            units = {row["unit"] for row in self.unreachable_rows()}
            text += _(
                "; %(count)d could not be delivered: %(units)d units have no person, address "
                "or robot to receive them (see 无法送达)"
            ) % {"count": len(self.unreachable), "units": len(units)}
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
        unaddressed = _unaddressed(sent_before)
        for notice in notices:
            if notice.key in sent_before:
                earlier = unaddressed.get(notice.key)
                if earlier is None:
                    result.skipped += 1
                elif dry_run:
                    target = result.would_send if _addresses(notice.recipient, addresses) else None
                    (target if target is not None else result.unreachable).append(notice)
                elif readdress(earlier, addresses=addresses):
                    result.readdressed.append(earlier)
                else:
                    result.unreachable.append(earlier)
                continue
            if dry_run:
                if _addresses(notice.recipient, addresses):
                    result.would_send.append(notice)
                else:
                    result.unreachable.append(notice)
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
                result.unreachable.append(reminder)
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
    readdressed = [r.pk for r in result.readdressed]
    result.in_app += Delivery.objects.filter(
        reminder_id__in=readdressed, channel=Channel.APP
    ).count()
    touched = [r.pk for r in result.created] + readdressed
    for start in range(0, len(touched), 500):
        result.reached_ids.update(
            Delivery.objects.filter(
                reminder_id__in=touched[start : start + 500], status=DeliveryStatus.SENT
            ).values_list("reminder_id", flat=True)
        )
    return result


def _unaddressed(keys: set[str]) -> dict[str, Reminder]:
    """Of the reminders with these keys, those that reached no one (no delivery at all)."""
    found: dict[str, Reminder] = {}
    keys = list(keys)
    for start in range(0, len(keys), 500):
        for reminder in Reminder.objects.filter(
            key__in=keys[start : start + 500], deliveries__isnull=True
        ).select_related("recipient_unit", "recipient_user", "unit"):
            found[reminder.key] = reminder
    return found


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
        "leader": robot.leader_id,
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
    unit: Unit | None = None,
    kind: str,
    webhook: str,
    secret: str | None = None,
    enabled: bool = True,
    expected_version: int | None = None,
    leader=None,
) -> tuple[Robot, bool]:
    """Create or change a unit's robot, or a leader's (office only). `secret=None` keeps the
    stored secret, so the form never has to show it back. Audited with the secret and token
    masked."""
    if user is not None:
        require(role_of(user) == Role.OFFICE)
    if kind not in RobotKind.values:
        raise ValidationError(_("Unknown robot kind."))
    webhook = (webhook or "").strip()
    webhooks.check_webhook(webhook)  # an allow-listed host over https; no DNS at save
    if (unit is None) == (leader is None):
        raise ValidationError(_("A robot belongs to a unit or to a leader."), code="unit")
    owner = {"unit": unit} if unit is not None else {"leader": leader}
    # no ordering: the default one joins the (nullable) unit, which PostgreSQL cannot lock
    robot = Robot.objects.select_for_update().filter(kind=kind, **owner).order_by("pk").first()
    if robot is None:
        if kind == RobotKind.DINGTALK and not secret:
            raise ValidationError(
                _("A DingTalk robot needs its signing secret (加签 SEC…)."), code="secret"
            )
        robot = Robot.objects.create(
            kind=kind, webhook=webhook, secret=secret or "", enabled=enabled, **owner
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


# --- reach: who can be reached, and what reached no one --------------------------------------


@dataclass
class UnitReach:
    """How a unit can be reached today, and its reminders that reached no one."""

    unit: Unit
    people: int = 0
    with_email: int = 0
    robots: int = 0
    undelivered: int = 0
    last_undelivered: dt.date | None = None

    @property
    def reachable(self) -> bool:
        return bool(self.people or self.robots)


def reach_of_units(unit_ids) -> dict[int, UnitReach]:
    """For each unit: its active contact people (and how many have an e-mail address) and its
    enabled robots. Three queries whatever the number of units."""
    from django.db.models import Count

    units = Unit.objects.filter(pk__in=list(unit_ids)).order_by("sort_order", "code")
    reach = {unit.pk: UnitReach(unit=unit) for unit in units}
    people = (
        User.objects.filter(is_active=True, membership__unit_id__in=reach)
        .filter(membership__role__in=[Role.UNIT_OFFICER, Role.UNIT_HEAD])
        .values_list("membership__unit_id", "email")
    )
    for unit_id, email in people:
        reach[unit_id].people += 1
        reach[unit_id].with_email += bool(email)
    robots = (
        Robot.objects.filter(unit_id__in=reach, enabled=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for row in robots:
        reach[row["unit_id"]].robots = row["n"]
    return reach


def unreachable_units(user) -> list[UnitReach]:
    """The units with reminders that reached no one (in the viewer's scope), most recent
    first, with what they lack: the office's 无法送达 list."""
    from django.db.models import Count, Max

    rows = (
        Reminder.objects.visible_to(user)
        .filter(deliveries__isnull=True, recipient_unit__isnull=False)
        .values("recipient_unit_id")
        .annotate(n=Count("pk"), last=Max("as_of"))
    )
    counts = {row["recipient_unit_id"]: row for row in rows}
    reach = reach_of_units(counts)
    for unit_id, row in counts.items():
        reach[unit_id].undelivered = row["n"]
        reach[unit_id].last_undelivered = row["last"]
    return sorted(
        reach.values(),
        key=lambda r: (r.reachable, -(r.last_undelivered or dt.date.min).toordinal(), r.unit.code),
    )


@dataclass
class TopicReach:
    """What became of the reminders about one subject to one unit (e.g. a dispatch round)."""

    reminders: int = 0
    reached: bool = False
    acknowledged: bool = False


def topic_reach(prefix: str) -> dict[int, TopicReach]:
    """Per recipient unit, whether the reminders whose topic starts with `prefix` reached
    anyone (a delivery sent) and were acknowledged. Two queries."""
    reminders = Reminder.objects.filter(topic__startswith=prefix, recipient_unit__isnull=False)
    out: dict[int, TopicReach] = {}
    for unit_id, acknowledged in reminders.values_list("recipient_unit_id", "acknowledged_at"):
        reach = out.setdefault(unit_id, TopicReach())
        reach.reminders += 1
        reach.acknowledged = reach.acknowledged or acknowledged is not None
    reached = (
        Delivery.objects.filter(reminder__in=reminders, status=DeliveryStatus.SENT)
        .values_list("reminder__recipient_unit_id", flat=True)
        .distinct()
    )
    for unit_id in reached:
        out[unit_id].reached = True
    return out


# --- 签收 (acknowledgement) --------------------------------------------------------------------


def may_acknowledge(user, reminder: Reminder) -> bool:
    """The person it went to, or anyone of the unit it went to."""
    if user is None or not user.is_authenticated:
        return False
    if reminder.recipient_user_id is not None:
        return reminder.recipient_user_id == user.pk
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and membership.role in (Role.UNIT_OFFICER, Role.UNIT_HEAD)
        and membership.unit_id == reminder.recipient_unit_id
    )


def acknowledgeable_by(user):
    """The reminders `user` may acknowledge (theirs, or their unit's)."""
    if user is None or not user.is_authenticated:
        return Reminder.objects.none()
    mine = Q(recipient_user=user)
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role in (Role.UNIT_OFFICER, Role.UNIT_HEAD):
        mine |= Q(recipient_unit_id=membership.unit_id)
    return Reminder.objects.filter(mine)


@transaction.atomic
def acknowledge(*, user, reminder: Reminder, at: dt.datetime | None = None, person=None) -> bool:
    """签收: the recipient saw the reminder (in the app or through the message's link). The
    first acknowledgement counts; later ones change nothing. Returns whether it was new.
    `person`: who acknowledged, when the system records it for them (`user=None`, e.g. the
    demo's history); otherwise the user themself."""
    if user is not None:
        require(person is None or person == user)
    person = person or user
    require(may_acknowledge(person, reminder))
    locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if locked.acknowledged_at is not None:
        return False
    locked.acknowledged_at = at or timezone.now()
    locked.acknowledged_by = person
    locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    reminder.acknowledged_at, reminder.acknowledged_by = locked.acknowledged_at, person
    Delivery.objects.filter(
        reminder=locked, channel=Channel.APP, user=person, read_at__isnull=True
    ).update(read_at=locked.acknowledged_at)
    record(
        "reminders.reminder.acknowledged",
        locked,
        after={"acknowledged_at": locked.acknowledged_at, "by": person.pk},
        user=user,
    )
    return True


@transaction.atomic
def acknowledge_topic(*, user, unit: Unit, prefix: str, at: dt.datetime | None = None) -> int:
    """The unit answered what it was asked (e.g. a dispatch round): its reminders about it are
    acknowledged by that answer. Returns how many were newly acknowledged (audited)."""
    pending = list(
        Reminder.objects.select_for_update()
        .filter(recipient_unit=unit, topic__startswith=prefix, acknowledged_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not pending:
        return 0
    when = at or timezone.now()
    Reminder.objects.filter(pk__in=pending).update(acknowledged_at=when, acknowledged_by=user)
    record(
        "reminders.reminder.acknowledged",
        None,
        after={"reminders": pending, "by_answering": prefix, "at": when},
        user=user,
        object_type="reminders.reminder",
        object_repr=_("%(count)d reminders acknowledged by the answer") % {"count": len(pending)},
    )
    return len(pending)
