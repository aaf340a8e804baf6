"""Optimistic locking: a save based on an outdated read is refused, naming who changed what
(from the audit trail)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import current_actor
from .models import AuditEvent


class StaleObjectError(ValidationError):
    """Someone else saved the record since it was read; the message says so in Chinese."""


def check_version(obj: models.Model, expected_version: int | None) -> None:
    """Refuse a save based on an outdated read (no lost updates), saying who changed what.

    An edit made through a page or the API (a request is acting) must say which version it
    read: without one it is refused, never saved unchecked. Commands and loaders, which
    read and write in one go, may leave it out."""
    if expected_version is None:
        if current_actor().request_id:
            from common.validation import MISSING_VERSION

            raise StaleObjectError(str(MISSING_VERSION), code="version_missing")
        return
    if obj.version == expected_version:
        return
    raise StaleObjectError(
        _(
            "Someone else changed this record while you were editing it "
            "(your version %(yours)s, current %(current)s): %(changes)s. "
            "Reload to see their change, then save again."
        )
        % {
            "yours": expected_version,
            "current": obj.version,
            "changes": "; ".join(recent_changes(obj, max(1, obj.version - expected_version))),
        },
        code="stale",
    )


def recent_changes(obj: models.Model, count: int) -> list[str]:
    """The last `count` audited changes of `obj`, as "who at when changed field: old → new",
    in the words of the record's own history (labels, amounts, names; never raw values)."""
    from .history import changes_of, related_names
    from .labels import actor_label, actor_names

    events = list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .exclude(before=None)
        .order_by("-id")[:count]
    )
    names = related_names(type(obj), events)
    people = actor_names(events)
    lines = []
    for event in reversed(events):
        before, after = event.before or {}, event.after or {}
        # only what both sides hold: an event's extra notes are not changes of the record
        shared = {key for key in after if key in before}
        changes = changes_of(
            type(obj),
            {k: v for k, v in before.items() if k in shared},
            {k: v for k, v in after.items() if k in shared},
            names,
        )
        when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
        lines.append(
            _("%(who)s at %(when)s changed %(fields)s")
            % {
                "who": actor_label(event, people),
                "when": when,
                "fields": "，".join(f"{c.field}：{c.before} → {c.after}" for c in changes),
            }
        )
    return lines
