from django.core.management.base import BaseCommand, CommandError

from audit.anchors import anchor_file, verify_trail, write_anchor


class Command(BaseCommand):
    help = (
        "Verify the audit trail's keyed hash chain and compare it with the anchors kept outside "
        "the database; exit 1 naming the first tampered or missing event. An intact trail's "
        "head is anchored again."
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
        anchored = ""
        if report.head_id:
            write_anchor(
                kind="head", event_id=report.head_id, hash=report.head_hash, count=report.checked
            )
            anchored = f"; head event {report.head_id} anchored in {anchor_file()}"
        self.stdout.write(
            f"Audit trail intact: {report.checked} events verified, "
            f"{report.anchors_compared} anchors compared{anchored}."
        )
