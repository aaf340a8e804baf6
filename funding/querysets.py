"""Read shapes of funding: scoped querysets and the figures aggregated in the database."""

import datetime as dt
from collections.abc import Iterable

from django.apps import apps
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from common.lists import PAGE_SIZE
from common.money import yuan_to_wan
from common.permissions import VIEW
from common.querysets import ALL, ScopedQuerySet, UnitOwnedQuerySet, unit_scope

# models.py imports this module for its managers: the models these shapes read are looked up
# in the app registry when a query runs, never imported back (no import circle).


class TargetQuerySet(UnitOwnedQuerySet):
    def in_force_on(self, as_of: dt.date):
        """Annotate `in_force`: the amount in force on `as_of` (元).

        The rule is `figures.amount_in_force`, computed in the database: the latest revision
        effective on or before `as_of` (the latest saved among those of one day), else the
        original amount (the first revision's old amount; `amount` when never revised).
        """
        TargetRevision = apps.get_model("funding", "TargetRevision")

        latest = (
            TargetRevision.objects.filter(target=OuterRef("pk"), effective_on__lte=as_of)
            .order_by("-effective_on", "-pk")
            .values("new_amount")[:1]
        )
        original = (
            TargetRevision.objects.filter(target=OuterRef("pk"))
            .order_by("pk")
            .values("old_amount")[:1]
        )
        return self.annotate(in_force=Coalesce(Subquery(latest), Subquery(original), F("amount")))


class TargetRevisionQuerySet(ScopedQuerySet):
    unit_path = "target__unit"


class ProjectMaterialQuerySet(ScopedQuerySet):
    unit_path = "project__unit"


class ReceiptQuerySet(UnitOwnedQuerySet):
    # how many rows these are, known without counting them (the receipt list: see
    # `receipt_list_rows`); forgotten as soon as a filter narrows them
    _known_count: int | None = None

    def _clone(self):
        clone = super()._clone()
        clone._known_count = self._known_count
        return clone

    def _filter_or_exclude(self, negate, args, kwargs):
        clone = super()._filter_or_exclude(negate, args, kwargs)
        if args or kwargs:
            clone._known_count = None
        return clone

    def none(self):
        clone = super().none()
        clone._known_count = None
        return clone

    def _combinator_query(self, *args, **kwargs):  # union, intersection, difference
        clone = super()._combinator_query(*args, **kwargs)
        clone._known_count = None
        return clone

    def count(self) -> int:
        if self._known_count is not None and not self.query.is_sliced:
            return self._known_count
        return super().count()

    def in_year(self, year: int, as_of: dt.date | None = None):
        end = as_of or dt.date(year, 12, 31)
        return self.filter(received_on__gte=dt.date(year, 1, 1), received_on__lte=end)

    def arrived_per_project(self):
        """Money arrived per project (元), the one sum of it: rows of `project` (its id) and
        `total`, one per project with receipts among these. Narrow the receipts first (a year,
        an as-of date, some projects); then read the rows (one aggregate query), or use it as
        a subquery with `.filter(project=OuterRef("pk"))` and `.values("total")`."""
        return (
            self.filter(project__isnull=False)
            .order_by()
            .values("project")
            .annotate(total=Sum("amount"))
        )


# sorts of the receipt list whose index (column, id) leads the page's walk; by unit, a leader's
# units may lie far down the index (WALK_COST: a walked row costs a lookup in the table)
WALKABLE_SORTS = {"", "received_on", "amount", "doc_no", "level"}
WALK_COST = 4


def receipt_list_rows(user, *, sort: str = "", page: int = 1) -> ReceiptQuerySet:
    """The receipts `user` sees on the receipt list, shaped so that its page costs about the
    same at 100,000 and at 3,000,000 receipts (issue 21):

    - their number (the page's "N records" and its pager) is read from the per unit × month
      rollups the cockpit reads (kept by triggers, counting the receipts in effect only) —
      exact, and a sum over units × months, not a count of a million rows; a filter on the
      list forgets it and counts the filtered rows;
    - a leader's receipts (hundreds of units of a province) are found by walking the sort's
      index (received on, id) from its end and keeping the rows of their units — about
      50 × all receipts / theirs rows for a page — instead of reading all of their receipts
      through the unit index and sorting them; below that break-even (a few units, a unit
      officer's own, a page far down, the sort by unit) the unit index stays the cheaper way.
    The rows are exactly `Receipt.objects.visible_to(user)`'s."""
    from .rollups import ReceiptUnitMonth

    Receipt = apps.get_model("funding", "Receipt")

    rows = Receipt.objects.visible_to(user)
    scope = unit_scope(user, VIEW)
    months = ReceiptUnitMonth.objects.all()
    if scope != ALL:
        scope = list(scope.values_list("pk", flat=True)) if hasattr(scope, "values_list") else scope
        months = months.filter(unit_id__in=scope)
    count = months.aggregate(n=Coalesce(Sum("receipts"), 0))["n"]
    least_walk = WALK_COST * PAGE_SIZE * max(1, page)  # were all receipts theirs
    if scope != ALL and count > least_walk and sort.lstrip("-") in WALKABLE_SORTS:
        every = ReceiptUnitMonth.objects.aggregate(n=Coalesce(Sum("receipts"), 0))["n"]
        if least_walk * every / count < count:
            # `unit_id + 0` is the same test, but no index can serve it: the planner walks
            # the ordering's index instead of reading every receipt of these units
            rows = (
                Receipt.objects.alias(
                    list_unit=models.ExpressionWrapper(
                        F("unit_id") + Value(0), output_field=IntegerField()
                    )
                )
                .filter(list_unit__in=scope)
                ._chain()
            )
            rows._scope = (user, VIEW)
    rows = rows._chain()
    rows._known_count = count
    return rows


class CountedReceiptManager(models.Manager.from_queryset(ReceiptQuerySet)):
    """`Receipt.objects`: the receipts in effect only. A voided, corrected or rejected receipt
    keeps its row (design §10: never edited nor deleted) but was never money: leaving it out
    here leaves it out of every figure, duplicate check, doubtful claim, list and export that
    reads receipts, whoever wrote them. `Receipt.every` sees all."""

    def get_queryset(self):
        return super().get_queryset().filter(state="active")


class ReceiptCorrectionQuerySet(ScopedQuerySet):
    """Corrections follow their receipt's unit: a unit sees and asks for its own."""

    unit_path = "receipt__unit"


def targets_in_force(
    year: int, as_of: dt.date, unit_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """unit id → its target for `year` in force on `as_of` (元), for every unit with a target
    in `year` (or those of `unit_ids`). One query whatever the number of units."""
    Target = apps.get_model("funding", "Target")

    targets = Target.objects.filter(year=year)
    if unit_ids is not None:
        targets = targets.filter(unit_id__in=unit_ids)
    return dict(targets.in_force_on(as_of).values_list("unit_id", "in_force"))


def doubtful_claims(
    year: int | None = None, as_of: dt.date | None = None, unit_ids: Iterable[int] | None = None
) -> list[dict]:
    """Doubtful claims (design §3.1): every normalised 文号 recorded by more than one unit and
    not confirmed by the office for all of those units, oldest first. Two queries.

    Only receipts of `year` up to `as_of` count (with `as_of` alone: up to that day; with
    neither: all). With `unit_ids`, only claims involving one of those units, still naming
    every unit of the claim. Each claim is {`doc_no` (as first recorded), `units` (unit codes),
    `amount_wan` (the receipts' total, Decimal 万元), `receipts` (the Receipt rows, oldest
    first, with `unit`)}.
    """
    ClaimReview = apps.get_model("funding", "ClaimReview")
    Receipt = apps.get_model("funding", "Receipt")
    ReceiptSharedDoc = apps.get_model("funding", "ReceiptSharedDoc")

    # Only keys some receipts of two units share can be doubtful in any period: the trigger-
    # kept list of them spares a scan of every receipt (funding/rollups.py).
    receipts = Receipt.objects.exclude(doc_key="").filter(
        doc_key__in=ReceiptSharedDoc.objects.values("doc_key")
    )
    if year is not None:
        receipts = receipts.in_year(year, as_of)
    elif as_of is not None:
        receipts = receipts.filter(received_on__lte=as_of)
    shared = (
        receipts.order_by()
        .values("doc_key")
        .annotate(units=Count("unit_id", distinct=True))
        .filter(units__gt=1)
        .values("doc_key")
    )
    if unit_ids is not None:
        shared = shared.filter(
            doc_key__in=receipts.filter(unit_id__in=unit_ids).order_by().values("doc_key")
        )
    rows = list(
        receipts.filter(doc_key__in=shared).select_related("unit").order_by("received_on", "pk")
    )
    # (the confirmations are read even when there is no claim: a page runs the same queries
    # whatever the data)
    confirmed: dict[str, set[int]] = {}
    for key, unit_id in ClaimReview.units.through.objects.filter(
        claimreview__doc_key__in=shared
    ).values_list("claimreview__doc_key", "unit_id"):
        confirmed.setdefault(key, set()).add(unit_id)
    groups: dict[str, list] = {}
    for receipt in rows:
        groups.setdefault(receipt.doc_key, []).append(receipt)
    claims = []
    for key, group in groups.items():
        units = {r.unit_id: r.unit for r in group}
        if set(units) <= confirmed.get(key, set()):
            continue
        claims.append(
            {
                "doc_no": group[0].doc_no,
                "units": [
                    u.code for u in sorted(units.values(), key=lambda u: (u.sort_order, u.code))
                ],
                "amount_wan": yuan_to_wan(sum(r.amount for r in group)),
                "receipts": group,
            }
        )
    return claims


# --- what the receipt rule reads (`receipt_rule.ReceiptBook`) ------------------------------


def receipt_book(
    *,
    units=None,
    unit_ids: Iterable[int] | None = None,
    doc_keys: Iterable[str] | None = None,
    project_ids: Iterable[int] | None = None,
    channel_ids: Iterable[int] | None = None,
    exclude: int | None = None,
):
    """The `ReceiptBook` of the receipts to be recorded for `unit_ids` (None: any unit),
    keyed by ids: their projects, the channels' levels, the receipts in effect that could be
    repeated (those units' with a 文号) and the units sharing each 文号 key, the office's
    confirmations. `units`: the units the actor may record for (None: all). Given
    `doc_keys`, only those keys are read (one receipt: a few rows); otherwise every receipt
    with a 文号 is read once (a bulk import). A handful of queries whatever the number of
    records. `exclude`: a receipt left out (one being corrected: it is about to leave the
    receipts in effect)."""
    Channel = apps.get_model("funding", "Channel")
    ClaimReview = apps.get_model("funding", "ClaimReview")
    Project = apps.get_model("funding", "Project")
    Receipt = apps.get_model("funding", "Receipt")
    from .receipt_rule import Earlier, ProjectFacts, ReceiptBook

    book = ReceiptBook(units=units)
    projects = Project.objects.all()
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    elif unit_ids is not None:
        projects = projects.filter(unit_id__in=list(unit_ids))
    for pk, unit_id, stage, channel_id, level, name in projects.values_list(
        "pk", "unit_id", "stage", "channel_id", "level", "name"
    ):
        book.projects[pk] = ProjectFacts(unit_id, stage, channel_id, level, name)
    channels = Channel.objects.all()
    if channel_ids is not None:
        wanted = set(channel_ids) | {f.channel for f in book.projects.values() if f.channel}
        channels = channels.filter(pk__in=wanted)
    book.channel_levels = dict(channels.values_list("pk", "level"))
    receipts = Receipt.objects.exclude(doc_key="")
    if exclude is not None:
        receipts = receipts.exclude(pk=exclude)
    reviews = ClaimReview.units.through.objects.all()
    parts = [(receipts, reviews)]
    if doc_keys is not None:
        # a batch of keys a query (a ledger names 100,000: more than a statement may carry)
        doc_keys = sorted({key for key in doc_keys if key})
        parts = [
            (
                receipts.filter(doc_key__in=doc_keys[start : start + _KEYS_A_QUERY]),
                reviews.filter(claimreview__doc_key__in=doc_keys[start : start + _KEYS_A_QUERY]),
            )
            for start in range(0, len(doc_keys), _KEYS_A_QUERY)
        ]
    wanted_units = None if unit_ids is None else set(unit_ids)
    for receipts, reviews in parts:  # every receipt of a key in the same part
        for unit_id, key, amount, on, doc_no in (
            receipts.order_by("received_on", "pk")
            .values_list("unit_id", "doc_key", "amount", "received_on", "doc_no")
            .iterator(chunk_size=20_000)
        ):
            book.key_units.setdefault(key, set()).add(unit_id)
            if wanted_units is None or unit_id in wanted_units:
                book.recorded.setdefault((unit_id, key, amount), Earlier(on, amount, doc_no))
        for key, unit_id in reviews.values_list("claimreview__doc_key", "unit_id"):
            book.confirmed.setdefault(key, set()).add(unit_id)
    return book


_KEYS_A_QUERY = 500


# --- corrections (design §10) ----------------------------------------------------------


def _receipt_text(receipt) -> str:
    from common.money import format_amount

    parts = [receipt.received_on.isoformat(), format_amount(receipt.amount)]
    if receipt.doc_no:
        parts.append(receipt.doc_no)
    return " ".join(parts)


def correction_rows(corrections) -> list[dict]:
    """Each correction as the pages and the bulletin show it: {`correction`, `unit`,
    `receipt` (its date, amount and 文号), `kind`, `changes` ([{field, before, after}]),
    `reason`, `requested_by`, `requested_at`, `decided_by`, `decided_at`, `state`,
    `comment`}. Texts in the active language. Three queries whatever the number."""
    from django.utils.translation import gettext as _

    from common.money import format_amount

    from .choices import CorrectionKind

    Channel = apps.get_model("funding", "Channel")
    Project = apps.get_model("funding", "Project")

    rows = list(
        corrections.select_related(
            "receipt__unit",
            "receipt__channel",
            "receipt__project",
            "requested_by",
            "decided_by",
        )
    )
    channel_names = dict(
        Channel.objects.filter(
            pk__in={c.changes["channel"] for c in rows if c.changes.get("channel")}
        ).values_list("pk", "name")
    )
    project_names = dict(
        Project.objects.filter(
            pk__in={c.changes["project"] for c in rows if c.changes.get("project")}
        ).values_list("pk", "name")
    )
    labels = {
        "amount": _("Amount"),
        "received_on": _("Received on"),
        "doc_no": _("Document number"),
        "channel": _("Channel"),
        "project": _("Project"),
    }
    outcome = {
        CorrectionKind.VOID: _("voided"),
        CorrectionKind.REJECT: _("rejected as a double claim"),
        CorrectionKind.REINSTATE: _("counted again"),
    }

    def person(user) -> str:
        return (user.first_name or user.username) if user is not None else ""

    out = []
    for correction in rows:
        receipt = correction.receipt
        changes = []
        if correction.kind in outcome:
            changes.append(
                {
                    "field": _("Receipt"),
                    "before": _receipt_text(receipt),
                    "after": str(outcome[correction.kind]),
                }
            )
        for name, value in correction.changes.items():
            if name == "amount":
                before, after = format_amount(receipt.amount), format_amount(value)
            elif name == "received_on":
                before, after = receipt.received_on.isoformat(), value
            elif name == "doc_no":
                before, after = receipt.doc_no, value
            elif name == "channel":
                before = receipt.channel.name if receipt.channel else ""
                after = channel_names.get(value, "")
            else:
                before = receipt.project.name if receipt.project else ""
                after = project_names.get(value, "")
            changes.append(
                {"field": str(labels[name]), "before": before or "—", "after": after or "—"}
            )
        out.append(
            {
                "correction": correction,
                "unit": receipt.unit.name,
                "receipt": _receipt_text(receipt),
                "kind": correction.get_kind_display(),
                "changes": changes,
                "reason": correction.reason,
                "requested_by": person(correction.requested_by),
                "requested_at": correction.requested_at,
                "decided_by": person(correction.decided_by),
                "decided_at": correction.decided_at,
                "state": correction.state,
                "state_text": correction.get_state_display(),
                "comment": correction.comment,
            }
        )
    return out


def corrections_since(since: dt.datetime | None, until: dt.datetime | None = None) -> list[dict]:
    """更正说明 of a bulletin (design §10): the corrections approved after `since` (the
    previous issued bulletin; None: all) up to `until`, oldest first, as plain data (unit,
    kind, changes before → after, reason, date decided)."""
    from django.utils import timezone

    from .choices import CorrectionState

    ReceiptCorrection = apps.get_model("funding", "ReceiptCorrection")

    corrections = ReceiptCorrection.objects.filter(state=CorrectionState.APPROVED)
    if since is not None:
        corrections = corrections.filter(decided_at__gt=since)
    if until is not None:
        corrections = corrections.filter(decided_at__lte=until)
    return [
        {
            "unit": row["unit"],
            "receipt": row["receipt"],
            "kind": str(row["kind"]),
            "changes": row["changes"],
            "reason": row["reason"],
            "decided_on": timezone.localdate(row["decided_at"]).isoformat(),
        }
        for row in correction_rows(corrections.order_by("decided_at", "pk"))
    ]
