"""The ledger import as a background job (jobs/): 100,000 rows take longer than a request may
wait; the job's page shows how far it has read and written."""

from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext as _

from jobs.registry import Outcome, register


class ImportRefused(Exception):
    """The file has errors: nothing was written (the message lists the first ones)."""


def ledger_import(job, progress, folder: Path) -> Outcome:
    from . import storage
    from .format import LedgerError
    from .services import import_ledger

    found = storage.find(job.params["sha"])
    if found is None:
        raise ImportRefused(
            _("The uploaded file is gone (files are kept 24 hours); upload it again.")
        )
    path, name = found

    def tick(label: str, count: int) -> None:
        progress(0, 0, f"{label} {count:,}")

    try:
        result = import_ledger(path, user=job.owner, name=name, progress=tick)
    except LedgerError as exc:
        raise ImportRefused(str(exc)) from None
    if not result.ok:
        shown = "；".join(str(issue) for issue in result.errors[:5])
        raise ImportRefused(
            _("Nothing was imported: %(count)s errors, first: %(errors)s")
            % {"count": len(result.errors), "errors": shown}
        )
    storage.discard(job.params["sha"])  # imported: the file is not kept
    return Outcome(message=result.summary_line(), url=reverse("ledger:upload"))


def register_kinds() -> None:
    register("ledger.import", ledger_import, user_errors=(ImportRefused,))
