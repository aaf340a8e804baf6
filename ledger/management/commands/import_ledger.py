import gc
import sys
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation

from audit.commands import SystemCommand
from ledger.services import import_ledger


class Command(SystemCommand):
    help = (
        "Import a ledger workbook (.xlsx, a .zip of CSV files or a folder of CSV files named "
        "after the sheets). All or nothing: exit 1 with every error and nothing written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, file, dry_run=False, **options):
        # Messages in the site language (Chinese by default), not Django's command default.
        translation.activate(settings.LANGUAGE_CODE)
        stderr = sys.stderr
        tty = stderr.isatty()

        def progress(label: str, count: int) -> None:
            line = f"{label}: {count:,}"
            stderr.write(f"\r{line}   " if tty else line + "\n")
            stderr.flush()

        try:
            with _without_cycle_collection():
                result = import_ledger(file, user=None, dry_run=dry_run, progress=progress)
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        if tty:
            stderr.write("\r" + " " * 40 + "\r")
        for issue in result.warnings:
            self.stderr.write(str(issue), style_func=self.style.WARNING)
        if not result.ok:
            for issue in result.errors:
                self.stderr.write(str(issue))
            self.stderr.write(
                translation.gettext("%(count)s errors; nothing was written.")
                % {"count": len(result.errors)}
            )
            sys.exit(1)
        prefix = translation.gettext("Dry run, nothing written. ") if dry_run else ""
        self.stdout.write(prefix + result.summary_line())


@contextmanager
def _without_cycle_collection():
    """Python's cycle collector paused for the length of a command-line import: the import
    builds some million tuples, dicts and strings that hold no cycles, and the collector's
    passes over them cost about a tenth of the import. Here only, in a process of its own:
    the collector is process-wide, so the web workers and the job worker, whose other
    threads go on serving, import with it running (issue 22)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
