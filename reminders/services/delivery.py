"""Delivering reminders on the outside channels (e-mail, robots), retried until they go."""

import datetime as dt
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record

from .. import channels
from ..models import Channel, Delivery, DeliveryStatus, RobotKind

# A delivery left "sending" this long ago belongs to a run that died: it is tried again.
STALE_SENDING = dt.timedelta(minutes=15)


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


# --- delivering --------------------------------------------------------------------------------


@dataclass
class DeliveryStats:
    delivered: int = 0
    retried: int = 0  # delivered on a later attempt than the first
    failed: list[Delivery] = field(default_factory=list)


def _send(delivery: Delivery) -> None:
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
