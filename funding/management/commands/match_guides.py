import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from funding.matching import match_all
from funding.models import Guide


class Command(BaseCommand):
    help = "List, for each application guide, the reserve projects that fit it, with reasons."

    def add_arguments(self, parser):
        parser.add_argument("--guide", help="the guide's code (default: every guide)")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--limit", type=int, default=10, help="matches per guide (1–100)")

    def handle(self, *args, guide=None, format="text", limit=10, **options):
        if not 1 <= limit <= 100:
            raise CommandError(_("--limit must be between 1 and 100."))
        guides = Guide.objects.select_related("channel").prefetch_related("units")
        if guide is not None:
            guides = guides.filter(code=guide.strip())
            if not guides:
                raise CommandError(_("No guide has the code “%(code)s”.") % {"code": guide[:40]})
        else:
            guides = guides.order_by("-published_on", "code")
        results = match_all(list(guides), limit=limit)
        if format == "json":
            payload = {
                "guides": [
                    {
                        "code": g.code,
                        "title": g.title,
                        "matches": [
                            {"project": m.project.code, "score": m.score, "reasons": m.reasons}
                            for m in matches
                        ],
                    }
                    for g, matches in results
                ]
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for g, matches in results:
            self.stdout.write(f"{g.code} {g.title}")
            if not matches:
                self.stdout.write("  " + _("No reserve project fits this guide."))
            for rank, m in enumerate(matches, start=1):
                self.stdout.write(f"  {rank}. {m.project.code} {m.project.name} ({m.score})")
                for reason in m.reasons:
                    self.stdout.write(f"     - {reason}")
            self.stdout.write("")
        self.stdout.write(_("%(count)s guides matched.") % {"count": len(results)})
