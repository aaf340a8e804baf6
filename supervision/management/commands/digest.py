import datetime as dt

from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.anchors import anchor_trail
from audit.commands import SystemCommand
from common.dates import DateError, parse_date
from org.models import Leader
from reminders.services import notify, office_users
from supervision.digest import digest_for


class Command(SystemCommand):
    help = (
        "Send each leader the weekly digest (design §11): their units' figures and changes "
        "since last week, overdue work items, what waits for their sign-off — in the app, by "
        "e-mail and to their robot; a leader without an account through the office. "
        "Cron-able weekly (e.g. `0 8 * * 1`); once per leader and week."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="date, e.g. 2024-09-30 (default: today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the digests; send nothing"
        )

    def handle(self, *args, as_of=None, dry_run=False, **options):
        try:
            day = parse_date(as_of) if as_of else timezone.localdate()
        except DateError as exc:
            raise CommandError(str(exc)) from None
        if not 2000 <= day.year <= 2100:
            raise CommandError(_("The date must lie between 2000 and 2100."))
        year, week, _weekday = day.isocalendar()
        sent = skipped = 0
        for leader in Leader.objects.select_related("user").order_by("sort_order", "name"):
            digest = digest_for(leader, day)
            person = leader.user if leader.user is not None and leader.user.is_active else None
            recipients = [person] if person else office_users()
            body = digest.text()
            if person is None:
                body += "\n" + _(
                    "For leader %(leader)s, who has no account in Luoshi: please pass this on."
                ) % {"leader": leader.name}
            if dry_run:
                self.stdout.write(f"== {digest.subject()} → {person or _('the office')}")
                self.stdout.write(body)
                continue
            url = reverse("supervision:digest") + f"?leader={leader.pk}&as_of={day.isoformat()}"
            for recipient in recipients:
                reminder = notify(
                    recipient,
                    subject=digest.subject(),
                    body=body,
                    key=f"digest:{leader.pk}:{year}-W{week:02d}",
                    url=url,
                    source="digest",
                    as_of=day,
                    due_on=day - dt.timedelta(days=day.weekday()),  # the week's Monday
                )
                if reminder is None:
                    skipped += 1
                    continue
                sent += 1
                channels = sorted({d.get_channel_display() for d in reminder.deliveries.all()})
                self.stdout.write(
                    f"{recipient}: {digest.subject()} [{'、'.join(map(str, channels))}]"
                )
        # every run that writes anchors the audit trail (its own events included)
        anchoring = None if dry_run else anchor_trail()
        if anchoring is not None and not anchoring.ok:
            self.stderr.write(
                _("The audit trail is broken at event %(event)s: %(problem)s; nothing anchored.")
                % {"event": anchoring.bad_id, "problem": anchoring.problem}
            )
            raise CommandError(_("The digests were sent, but the audit trail is broken."))
        if dry_run:
            self.stdout.write(_("Dry run: nothing sent."))
        else:
            self.stdout.write(
                _("Sent %(sent)d digests, skipped %(skipped)d already sent this week")
                % {"sent": sent, "skipped": skipped}
            )
