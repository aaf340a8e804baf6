"""The cockpit's league table at any size: a city's 17 task departments or a province's 3,000.

Up to `SMALL` units the page shows every unit, as a bulletin prints them. Above that it shows
the units grouped by their parent (县/区), the best and the worst `TOP`, and the table itself
searchable (name or code), filterable by parent and status, and paged. Everything is worked
out in Python from the one read model's figures, so the page runs the same queries whatever
the league's size.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from funding.choices import Status
from funding.rules import UnitFigures
from reporting.read_model import rate_key

SMALL = 40  # a league this size or smaller is shown whole
PAGE_SIZE = 50
TOP = 10
NO_PARENT = 0


@dataclass
class Group:
    """A parent unit (县/区) and the task units under it."""

    pk: int
    name: str
    units: int = 0
    target: int = 0
    secured: int = 0
    counts: dict = field(default_factory=lambda: {s.value: 0 for s in Status})

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.secured, self.target) if self.target > 0 else None

    @property
    def status_counts(self) -> list[int]:
        return [self.counts[s.value] for s in Status]


@dataclass
class League:
    big: bool
    rows: list[dict]  # the rows of this page (all rows for a small league)
    page: Page | None
    matching: int  # rows after search and filters
    total: int
    groups: list[Group]
    top: list[dict]
    bottom: list[dict]
    q: str
    parent: int | None
    status: str


def _ratio_key(row: dict):
    u: UnitFigures = row["u"]
    return (*rate_key(u), u.code)


def parse_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def filter_rows(rows: list[dict], *, q: str = "", parent: int | None = None, status: str = ""):
    words = q.lower().split()
    out = []
    for row in rows:
        u = row["u"]
        if parent is not None and row["parent_id"] != parent:
            continue
        if status and u.status.value != status:
            continue
        text = f"{u.code} {u.name} {row['parent_name']}".lower()
        if words and not all(word in text for word in words):
            continue
        out.append(row)
    return out


def build_league(rows: list[dict], params) -> League:
    """`rows`: every line of the league in the page's order, each a dict with `u` (the
    UnitFigures), `parent_id` and `parent_name`; `params`: the request's GET."""
    big = len(rows) > SMALL
    q = (params.get("q") or "").strip()[:50]
    parent = parse_int(params.get("parent"))
    status = params.get("status") or ""
    if status not in Status.values:
        status = ""
    if not big:
        return League(False, rows, None, len(rows), len(rows), [], [], [], "", None, "")
    groups: dict[int, Group] = {}
    for row in rows:
        u = row["u"]
        group = groups.get(row["parent_id"])
        if group is None:
            name = row["parent_name"] or _("Units without a county")
            group = groups[row["parent_id"]] = Group(row["parent_id"], name)
        group.units += 1
        group.target += u.target
        group.secured += u.secured
        group.counts[u.status.value] += 1
    ranked = sorted(rows, key=_ratio_key)
    matching = (
        filter_rows(rows, q=q, parent=parent, status=status)
        if (q or parent is not None or status)
        else rows
    )
    page = Paginator(matching, PAGE_SIZE).get_page(params.get("page"))
    return League(
        big=True,
        rows=list(page.object_list),
        page=page,
        matching=len(matching),
        total=len(rows),
        groups=sorted(groups.values(), key=lambda g: (g.rate is None, -(g.rate or 0), g.name)),
        top=ranked[:TOP],
        bottom=list(reversed(ranked[-TOP:])),
        q=q,
        parent=parent,
        status=status,
    )
