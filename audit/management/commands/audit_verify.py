from django.core.management.base import CommandError

from audit.anchors import UNPROTECTED, anchor_file, anchor_trail, verify_trail
from audit.commands import SystemCommand


class Command(SystemCommand):
    help = (
        "Verify the audit trail's keyed hash chain and compare it with the anchors kept outside "
        "the database (every line the trail says was written must be in the anchor file); "
        "exit 1 naming the first tampered or missing event. An intact trail's head is "
        "anchored again (a sealed audit event carrying its line number)."
    )

    def handle(self, *args, **options):
        report = verify_trail()
        for note in report.notes:
            self.stderr.write(f"Note: {note}")
        if not report.ok:
            raise CommandError(
                f"audit trail broken at event {report.bad_id}: {report.problem} "
                f"({report.checked} events verified before it)"
            )
        verified, compared = report.checked, report.anchors_compared
        report = anchor_trail(report)
        anchored = ""
        if report.anchored_line:
            anchored = (
                f"; head event {report.anchored_event} anchored as line "
                f"{report.anchored_line} of {anchor_file()}"
            )
        elif report.head_id:
            anchored = f"; head event {report.head_id} already anchored in {anchor_file()}"
        self.stdout.write(
            f"Audit trail intact: {verified} events verified, {compared} anchors "
            f"compared{anchored}. {UNPROTECTED}"
        )
