"""Creating reminders and their deliveries; `notify`, the service other apps urge with."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from common.permissions import Role, role_of
from common.services import require
from org.models import Unit

from ..models import Channel, Delivery, DeliveryStatus, Reminder
from ..notices import Notice, _addresses
from .delivery import _record_delivery, _shown_address, deliver_pending

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
