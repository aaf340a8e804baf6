"""Reads of the counterpart directory: departments with their people, units and last contact
(from the contacts the viewer may see), and the preview counts of a ledger sheet."""

from django.db.models import OuterRef, Q, Subquery

from ..models import Contact, Counterpart


def directory_for(viewer, *, search: str = ""):
    """Every department (the directory is shared reference data), with people and units
    prefetched and `last_contact`: the latest contact the viewer may see that was logged
    with it (picked from the directory, or naming it as written). Three queries."""
    contacts = Contact.objects.visible_to(viewer) if viewer is not None else Contact.objects
    last = (
        contacts.filter(Q(directory=OuterRef("pk")) | Q(counterpart=OuterRef("name")))
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )
    rows = Counterpart.objects.annotate(last_contact=Subquery(last)).prefetch_related(
        "people", "units"
    )
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(people__name__icontains=search)).distinct()
    return rows.order_by("name")


def diff_counterparts(rows: list[dict]) -> tuple[int, int, int]:
    """(created, updated, unchanged) a ledger sheet's departments would give; no writes."""
    existing = {
        c.name: c
        for c in Counterpart.objects.filter(name__in=[r["name"] for r in rows]).prefetch_related(
            "people", "units"
        )
    }
    created = updated = unchanged = 0
    for row in rows:
        current = existing.get(row["name"])
        if current is None:
            created += 1
            continue
        people = {p.name: (p.post, p.phone) for p in current.people.all()}
        same = (
            (not row.get("level") or row["level"] == current.level)
            and (
                "unit_ids" not in row or set(row["unit_ids"]) == {u.pk for u in current.units.all()}
            )
            and all(people.get(n) == (post, phone) for n, post, phone in row.get("people", []))
        )
        if same:
            unchanged += 1
        else:
            updated += 1
    return created, updated, unchanged
