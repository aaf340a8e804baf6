"""An object's history as its detail page shows it: who changed which field, from what to what."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.money import format_amount

from .models import AuditEvent

VERBS = {
    "created": _("created"),
    "updated": _("changed"),
    "revised": _("revised"),
    "advanced": _("advanced to the next stage"),
    "approved": _("approved"),
    "oversight_changed": _("changed who oversees what"),
    "confirmed": _("confirmed"),
    "rejected": _("rejected"),
    "requested": _("asked for an explanation"),
    "filed": _("filed"),
    "signed_off": _("signed off"),
    "sent_back": _("sent back"),
    "done": _("marked done"),
    "rescheduled": _("rescheduled"),
    "removed": _("removed"),
    # corrections of receipts (design §10)
    "voided": _("voided"),
    "superseded": _("replaced by a corrected receipt"),
    "reinstated": _("reinstated"),
}
HIDDEN_FIELDS = {"id", "version"}
# Labels of snapshot keys that are not model fields.
EXTRA_LABELS = {
    "lead_unit": _("lead unit"),
    "co_units": _("co-units"),
    "units": _("units"),
    "oversees": _("oversees"),
    "note": _("note"),
    "reason": _("reason"),
    "effective_on": _("effective on"),
    "old_amount": _("old amount"),
    "new_amount": _("new amount"),
    "steps": _("steps"),
    "calendar_warning": _("calendar warning"),
}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    verb: str
    changes: list[Change]


# Keys of audit snapshots that hold unit ids without being a model field of their own.
UNIT_KEYS = {"lead_unit", "co_units", "units", "oversees"}


def _shown(field: models.Field | None, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if names and isinstance(value, list):
        return "、".join(names.get(v, str(v)) for v in value)
    if names:
        return names.get(value, str(value))
    if isinstance(field, models.BigIntegerField) and isinstance(value, int | str):
        try:
            return format_amount(int(value))
        except ValueError:
            return str(value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    concrete = model._meta.concrete_fields
    return {f.attname: f for f in concrete} | {f.name: f for f in concrete}


def _related_names(model: type[models.Model], events) -> dict[str, dict]:
    """For each key holding ids of other records: id → name, one query per related model."""
    from django.apps import apps

    fields = _fields(model)
    targets: dict[str, type[models.Model]] = {}
    wanted: dict[type[models.Model], set] = {}
    for event in events:
        for snapshot in (event.before or {}, event.after or {}):
            for key, value in snapshot.items():
                field = fields.get(key)
                if field is not None and field.is_relation:
                    target = field.related_model
                elif key in UNIT_KEYS:
                    target = apps.get_model("org", "Unit")
                else:
                    continue
                targets[key] = target
                ids = value if isinstance(value, list) else [value]
                wanted.setdefault(target, set()).update(v for v in ids if isinstance(v, int))
    names = {
        target: {pk: str(obj) for pk, obj in target._base_manager.in_bulk(ids).items()}
        for target, ids in wanted.items()
    }
    return {key: names[target] for key, target in targets.items()}


def changes_of(
    model: type[models.Model], before: dict | None, after: dict | None, names: dict | None = None
) -> list[Change]:
    before, after, names = before or {}, after or {}, names or {}
    fields = _fields(model)
    out = []
    for key in after.keys() | before.keys():
        if key in HIDDEN_FIELDS:
            continue
        field = fields.get(key)
        old = _shown(field, before.get(key), names.get(key, {}))
        new = _shown(field, after.get(key), names.get(key, {}))
        if old == new:
            continue
        label = str(field.verbose_name if field is not None else EXTRA_LABELS.get(key, key))
        out.append(Change(label, old, new))
    return sorted(out, key=lambda change: change.field)


def history_for(obj: models.Model, limit: int = 50) -> list[Entry]:
    """The newest `limit` audit events about `obj`, newest first."""
    events = list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("-id")[:limit]
    )
    names = _related_names(type(obj), events)
    return [
        Entry(
            event,
            str(VERBS.get(event.action.rsplit(".", 1)[-1], event.action)),
            changes_of(type(obj), event.before, event.after, names),
        )
        for event in events
    ]
