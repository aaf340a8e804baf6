"""The daily run (`luoshi remind`): every source's notices created and sent once."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from org.models import Unit

from ..models import Channel, Delivery, DeliveryStatus, Reminder
from ..notices import Notice, _addresses
from ..sources import SOURCES, RunContext
from .creating import create_reminder, readdress
from .delivery import DeliveryStats, deliver_pending

logger = logging.getLogger(__name__)


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
