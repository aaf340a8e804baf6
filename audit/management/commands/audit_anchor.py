from django.core.management.base import BaseCommand, CommandError

from audit.anchors import anchor_file, newest_anchor, verify_trail, write_anchor


class Command(BaseCommand):
    help = (
        "Write the audit chain's head to the anchor file outside the database (cron it, e.g. "
        "every 10 minutes). Checks the events since the newest anchor first; exit 1 naming the "
        "first bad event instead of anchoring a tampered head. `audit_verify` checks it all."
    )

    def handle(self, *args, **options):
        since = newest_anchor()
        report = verify_trail(since=since)
        if not report.ok:
            raise CommandError(
                f"audit trail broken at event {report.bad_id}: {report.problem}; "
                "nothing anchored (run `luoshi audit_verify` for the whole trail)"
            )
        if not report.head_id:
            self.stdout.write("The audit trail is empty: nothing to anchor.")
            return
        write_anchor(
            kind="head", event_id=report.head_id, hash=report.head_hash, count=report.checked
        )
        self.stdout.write(
            f"Anchored head event {report.head_id} in {anchor_file()} "
            f"({report.checked} new events checked since the last anchor)."
        )
