"""Helpers shared by every app's services (the only write path)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _


class StaleObjectError(ValidationError):
    """Someone else saved the record since it was read; the message says so in Chinese."""


def check_version(obj: models.Model, expected_version: int | None) -> None:
    """Refuse a save based on an outdated read (no lost updates), saying who changed what."""
    if expected_version is None or obj.version == expected_version:
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
    """The last `count` audited changes of `obj`, as "who at when: field old → new"."""
    from django.utils import timezone

    from audit.models import AuditEvent

    events = (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .exclude(before=None)
        .order_by("-id")[:count]
    )
    lines = []
    for event in reversed(list(events)):
        before, after = event.before or {}, event.after or {}
        fields = [
            f"{key} {before.get(key)} → {after.get(key)}"
            for key in after
            if key in before and before.get(key) != after.get(key) and key != "version"
        ]
        when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
        lines.append(
            _("%(who)s at %(when)s changed %(fields)s")
            % {"who": event.actor_name, "when": when, "fields": ", ".join(fields)}
        )
    return lines


def bump_version(obj: models.Model) -> None:
    """Increment the row's version in the database and on the instance."""
    type(obj)._base_manager.filter(pk=obj.pk).update(version=models.F("version") + 1)
    obj.version += 1


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
