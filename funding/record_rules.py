"""The rules of funding's records other than receipts (those are `receipt_rule.py`): targets
and their revisions, projects, guides, and the codes of new channels and guides.

Each record type has one function that checks (and where there is something to complete,
completes) a record; the single-record services (`set_target`, `save_project`,
`save_guide`, …), their bulk forms for the ledger import (`bulk_set_targets`,
`bulk_save_projects`, `bulk_save_guides`, …) and the API through the services all call it, so
a rule is written once (design §6). The functions are pure: what they read of the database
comes in as arguments.
"""

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import Level, Stage
from .rules import amount_in_force

# --- Targets and their revisions ------------------------------------------------------------


def effective_date(year: int, effective_on: dt.date | None, *, today: dt.date) -> dt.date:
    """The day a target revision takes effect: the one given, which must lie in the target's
    year, else `today` kept inside that year (before it: 1 January; after it: 31 December)."""
    if effective_on is None:
        return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))
    if effective_on.year != year:
        raise ValidationError(
            _("The effective date must be within %(year)s, the year of the target.")
            % {"year": year},
            code="effective_on",
        )
    return effective_on


def check_target_amount(amount: int) -> None:
    """A target is zero or more."""
    if amount < 0:
        raise ValidationError(_("A target must not be negative."))


@dataclass
class TargetHistory:
    """A target's amounts over its year, as the revision rule reads them: the amount it was
    set with (in force from 1 January) and its revisions (effective date, revision id, new
    amount)."""

    original: int
    revisions: list[tuple[dt.date, int, int]] = field(default_factory=list)

    @classmethod
    def of(cls, amount: int, rows: Iterable[tuple[int, dt.date, int, int]]) -> "TargetHistory":
        """From a target's amount and its revisions `(id, effective on, old, new)` in the
        order they were saved: the first one's old amount is the original."""
        rows = list(rows)
        original = rows[0][2] if rows else amount
        return cls(original, [(on, pk, new) for pk, on, _old, new in rows])

    def revise(self, amount: int, effective_on: dt.date) -> int | None:
        """The revision rule: the amount in force on `effective_on` that a revision to
        `amount` replaces (kept in the revision as its old amount), or None when `amount` is
        already in force there (no revision)."""
        in_force = amount_in_force(self.original, self.revisions, effective_on)
        return None if in_force == amount else in_force

    def add(self, effective_on: dt.date, revision_id: int, amount: int) -> None:
        self.revisions.append((effective_on, revision_id, amount))

    def year_end(self, year: int) -> int:
        """The amount in force on 31 December: what `Target.amount` holds."""
        return amount_in_force(self.original, self.revisions, dt.date(year, 12, 31))


# --- Projects -------------------------------------------------------------------------------

PLAN_YEAR_MIN, PLAN_YEAR_MAX = 2000, 2100


def check_project(values: dict, *, unit=None) -> None:
    """The rules of a project's fields, whoever writes them (form, ledger, demo). `unit`: the
    project's unit, when its section and follow-up person are given as objects to check
    against it (the ledger resolves those within the unit itself)."""
    stage, level = values.get("stage"), values.get("level")
    if stage is not None and stage not in Stage.values:
        raise ValidationError(_("Unknown stage “%(stage)s”.") % {"stage": stage})
    if level and level not in Level.values:
        raise ValidationError(_("Unknown level “%(level)s”.") % {"level": level})
    for key in ("requested", "approved_amount", "total_investment"):
        if values.get(key) is not None and values[key] < 0:
            raise ValidationError(_("An amount cannot be negative."), code=key)
    year = values.get("plan_year")
    if year is not None and not PLAN_YEAR_MIN <= year <= PLAN_YEAR_MAX:
        raise ValidationError(
            _("The plan year must be between %(first)s and %(last)s.")
            % {"first": PLAN_YEAR_MIN, "last": PLAN_YEAR_MAX},
            code="plan_year",
        )
    if unit is None:
        return
    section = values.get("section")
    if section is not None and section.unit_id != unit.pk:
        raise ValidationError(_("The section belongs to another unit."), code="section")
    person = values.get("follow_up")
    if person is not None:
        membership = getattr(person, "membership", None)
        if membership is None or membership.unit_id != unit.pk:
            raise ValidationError(
                _("The follow-up person must be a member of %(unit)s.") % {"unit": unit.name},
                code="follow_up",
            )


# --- Guides ---------------------------------------------------------------------------------


def check_guide(values: dict) -> None:
    """The rules of a guide's fields (all of them: a change is checked merged with the rest)."""
    level = values.get("level")
    if level not in Level.values:
        raise ValidationError(_("Unknown level “%(level)s”.") % {"level": level}, code="level")
    check_guide_dates(values.get("published_on"), values.get("deadline"))
    if not (values.get("title") or "").strip() or not (values.get("issuer") or "").strip():
        raise ValidationError(_("A guide needs a title and an issuer."), code="title")


def check_guide_dates(published_on: dt.date | None, deadline: dt.date | None) -> None:
    """A guide's deadline is not before its publication (either may be unknown). The ledger
    calls this part alone: a guide's level may come from its channel, resolved later."""
    if published_on and deadline and deadline < published_on:
        raise ValidationError(
            _("The deadline cannot be before the publication date."), code="deadline"
        )


# --- Codes of new records -------------------------------------------------------------------


def next_free_code(prefix: str, used: Collection[str], after: int | None = None) -> tuple[str, int]:
    """The next free `<prefix>NNN` and its number: the first number above `after` (default:
    the count of codes used) not in `used`. Channels (QDnnn) and guides (ZN<year>-nnn)."""
    number = (len(used) if after is None else after) + 1
    while f"{prefix}{number:03d}" in used:
        number += 1
    return f"{prefix}{number:03d}", number
