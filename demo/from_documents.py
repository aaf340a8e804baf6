"""From the document to the work (design §12) in the demo: the office's unit aliases, a
meeting with its decisions, a team for the items of one measure, the counterpart
directory and projects included in a higher-level plan. Idempotent; changes no figure of
30 June 2024 (no receipt, no target)."""

from org.models import Unit
from policy.drafting import services as drafting

# aliases the office added for names its documents use and the derivation does not make
ALIASES = [("城管执法局", "CGJ"), ("市城管执法局", "CGJ"), ("市城建投", "CTJT")]


def load_from_documents() -> None:
    units = {u.code: u for u in Unit.objects.all()}
    for alias, code in ALIASES:
        drafting.save_unit_alias(user=None, unit=units[code], alias=alias)
