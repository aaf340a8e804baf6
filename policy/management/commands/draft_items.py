import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from common.validation import InputError, check_year
from org.period import office_period
from policy.drafting.queries import draft_text
from policy.drafting.reading import UnreadableDocument, text_of_bytes

MAX_BYTES = 10 * 1024 * 1024


class Command(BaseCommand):
    help = "Draft work items from a policy text (.txt or .docx); nothing is written (design §12)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the policy text, .txt (UTF-8 or GB18030) or .docx")
        parser.add_argument(
            "--year", type=int, help="year of deadlines without one (default: the office's year)"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, file, year=None, format="text", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(_("The file is larger than 10 MB."))
        try:
            year = check_year(year) if year is not None else office_period().year
            text = text_of_bytes(path.name, path.read_bytes())
        except (InputError, UnreadableDocument) as error:
            raise CommandError(str(error)) from None
        drafts = draft_text(text, year)
        if format == "json":
            payload = {"items": [d.as_json() for d in drafts]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for n, d in enumerate(drafts, start=1):
            due = d.due_on.isoformat() if d.due_on else "—"
            self.stdout.write(
                f"{n}. {d.title} | {d.lead_unit or '—'} | {'、'.join(d.co_units) or '—'} | "
                f"{d.lead_leader or '—'} | {due}"
            )
            if d.unresolved:
                self.stdout.write("   " + _("Not resolved:") + " " + "、".join(d.unresolved))
        unresolved = sum(len(d.unresolved) for d in drafts)
        self.stdout.write(
            _("%(items)s draft items, %(names)s names not resolved.")
            % {"items": len(drafts), "names": unresolved}
        )
