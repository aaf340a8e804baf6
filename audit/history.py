"""An object's history as its detail page shows it: who changed which field, from what to what."""

from dataclasses import dataclass

from django.db import models
from django.template.defaultfilters import filesizeformat

from common.money import format_amount

from .labels import KEY_LABELS, actor_label, actor_names, plain_value, verb_label
from .models import AuditEvent

HIDDEN_FIELDS = {"id", "version"}
# Snapshot keys that hold a number of bytes.
BYTE_KEYS = {"docx_bytes", "pdf_bytes", "size"}


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
    actor: str = ""


# Keys of audit snapshots that hold unit ids without being a model field of their own.
UNIT_KEYS = {"lead_unit", "co_units", "units", "oversees"}


# Snapshot keys that hold money (元) without being a money field of their own.
MONEY_KEYS = {"old_amount", "new_amount", "amount", "amount_yuan"}


def _is_money(field: models.Field | None) -> bool:
    """Money fields are the integer fields counted in 元 (their label says so)."""
    return isinstance(field, models.BigIntegerField) and "元" in str(field.verbose_name)


def _shown(field: models.Field | None, key: str, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key in BYTE_KEYS and isinstance(value, int):
        return filesizeformat(value)
    money = _is_money(field) or (field is None and key in MONEY_KEYS)
    if names and isinstance(value, list):
        return "、".join(names.get(v, str(v)) for v in value)
    if names:
        return names.get(value, str(value))
    if money and isinstance(value, int | str):
        try:
            return format_amount(int(value))
        except ValueError:
            return str(value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return plain_value(value)


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    concrete = model._meta.concrete_fields
    return {f.attname: f for f in concrete} | {f.name: f for f in concrete}


def related_names(model: type[models.Model], events) -> dict[str, dict]:
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
        old = _shown(field, key, before.get(key), names.get(key, {}))
        new = _shown(field, key, after.get(key), names.get(key, {}))
        if old == new:
            continue
        # a label of our own first: some fields carry only Django's default (English) name
        label = str(KEY_LABELS.get(key) or (field.verbose_name if field is not None else key))
        out.append(Change(label, old, new))
    return sorted(out, key=lambda change: change.field)


def history_for(obj: models.Model, limit: int = 50) -> list[Entry]:
    """The newest `limit` audit events about `obj`, newest first."""
    events = list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("-id")[:limit]
    )
    names = related_names(type(obj), events)
    people = actor_names(events)
    return [
        Entry(
            event,
            verb_label(event.action),
            changes_of(type(obj), event.before, event.after, names),
            actor_label(event, people),
        )
        for event in events
    ]
