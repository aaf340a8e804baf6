from django.core.management.base import CommandError

from audit.anchors import UNPROTECTED, anchor_file, anchor_trail
from audit.commands import SystemCommand


class Command(SystemCommand):
    help = (
        "Write the audit chain's head to the anchor file outside the database (`remind` and "
        "`serve` do it too; cron it where neither runs). Checks the events since the newest "
        "anchor and that the anchor file holds every line the trail says was written; exit 1 "
        "naming the first bad event instead of anchoring a tampered head. Each anchoring is "
        "also a sealed audit event carrying its line number. `audit_verify` checks it all."
    )

    def handle(self, *args, **options):
        report = anchor_trail()
        if not report.ok:
            raise CommandError(
                f"audit trail broken at event {report.bad_id}: {report.problem}; "
                "nothing anchored (run `luoshi audit_verify` for the whole trail)"
            )
        if not report.head_id:
            self.stdout.write("The audit trail is empty: nothing to anchor.")
            return
        if not report.anchored_line:
            self.stdout.write(
                f"Nothing new since the newest anchor (event {report.head_id} in "
                f"{anchor_file()}). {UNPROTECTED}"
            )
            return
        self.stdout.write(
            f"Anchored head event {report.anchored_event} as line {report.anchored_line} of "
            f"{anchor_file()} ({report.checked} new events checked since the last anchor). "
            f"{UNPROTECTED}"
        )
