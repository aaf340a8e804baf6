import json

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.anchors import anchor_trail
from audit.commands import SystemCommand
from common.dates import DateError, parse_date
from reminders.models import Channel
from reminders.services import RunResult, run_reminders


class Command(SystemCommand):
    help = (
        "Send the reminders due today (or --as-of): items and milestones due soon or overdue, "
        "guides closing, escalations; retry deliveries that failed; then anchor the audit trail "
        "(audit_anchor). Cron-able; ends with a one-line summary whose first number is how "
        "many reminders reached someone, and says what reached no one. --format json prints "
        "{sent, deliveries, failed, skipped, unreachable: [{unit, subject}]}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="date, e.g. 2024-07-15 (default: today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be sent; write and send nothing"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, as_of=None, dry_run=False, format="text", **options):
        try:
            day = parse_date(as_of) if as_of else timezone.localdate()
        except DateError as exc:
            raise CommandError(str(exc)) from None
        if not 2000 <= day.year <= 2100:
            raise CommandError(_("The date must lie between 2000 and 2100."))
        result = run_reminders(as_of=day, dry_run=dry_run)
        for warning in result.warnings:
            self.stderr.write(warning)
        if format == "json":
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            self._write_text(result)
        for error in result.errors:
            self.stderr.write(error)
        # every run that writes anchors the audit trail (its own events included)
        anchoring = None if dry_run else anchor_trail()
        if anchoring is not None and not anchoring.ok:
            self.stderr.write(
                _("The audit trail is broken at event %(event)s: %(problem)s; nothing anchored.")
                % {"event": anchoring.bad_id, "problem": anchoring.problem}
            )
            raise CommandError(_("The reminders were sent, but the audit trail is broken."))
        if result.errors:
            raise CommandError(
                _("%(count)d reminder sources failed; the others' reminders were sent.")
                % {"count": len(result.errors)}
            )

    def _write_text(self, result: RunResult) -> None:
        if result.dry_run:
            for notice in result.would_send:
                self.stdout.write(f"{_('would send')} → {notice.recipient}: {notice.subject}")
        else:
            for reminder in result.created + result.readdressed:
                recipient = reminder.recipient_unit or reminder.recipient_user
                channels = sorted({d.get_channel_display() for d in reminder.deliveries.all()})
                if not channels:
                    continue  # listed below with what reached no one
                self.stdout.write(f"{recipient}: {reminder.subject} [{'、'.join(channels)}]")
            for delivery in result.stats.failed:
                label = Channel(delivery.channel).label
                self.stderr.write(
                    _("Failed: %(channel)s for “%(subject)s”: %(error)s")
                    % {
                        "channel": label,
                        "subject": delivery.reminder.subject,
                        "error": delivery.last_error,
                    }
                )
        for unit, subject in result.unreachable_pairs():
            self.stdout.write(
                _("Could not be delivered (no person, address or robot): %(unit)s: %(subject)s")
                % {"unit": unit.name if unit else "—", "subject": subject}
            )
        self.stdout.write(result.summary())
