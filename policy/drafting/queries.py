"""The drafting reader fed from the database: units, the office's aliases, the leaders."""

from org.models import Leader, Unit

from ..models import UnitAlias
from .names import Directory, UnitRef, derive_aliases
from .parser import Draft, draft_items


def directory() -> Directory:
    units = [UnitRef(*row) for row in Unit.objects.values_list("code", "name", "kind")]
    extra = UnitAlias.objects.values_list("alias", "unit__code")
    return Directory.build(units, extra)


def leaders() -> dict[str, list[str]]:
    """Each leader's name → codes of the units they oversee (one query)."""
    out: dict[str, list[str]] = {name: [] for name in Leader.objects.values_list("name", flat=True)}
    for name, code in Leader.objects.filter(oversees__isnull=False).values_list(
        "name", "oversees__code"
    ):
        out[name].append(code)
    return out


def draft_text(text: str, year: int) -> list[Draft]:
    """Draft work items of `text` against this installation's units and leaders."""
    return draft_items(text, directory(), leaders(), year)


def alias_table() -> list[dict]:
    """Every unit with its derived aliases (unless shared with another unit) and the
    office's own, for the alias page."""
    book = directory()
    kept: dict[int, list[UnitAlias]] = {}
    for row in UnitAlias.objects.order_by("alias"):
        kept.setdefault(row.unit_id, []).append(row)
    return [
        {
            "unit": unit,
            "derived": sorted(a for a in derive_aliases(unit.name) if a not in book.ambiguous),
            "shared": sorted(a for a in derive_aliases(unit.name) if a in book.ambiguous),
            "kept": kept.get(unit.pk, []),
        }
        for unit in Unit.objects.order_by("sort_order", "code")
    ]
