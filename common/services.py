"""Helpers shared by every app's services (the only write path)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _


class StaleObjectError(ValidationError):
    """Someone else saved the record since it was read; the message says so in Chinese."""


def check_version(obj: models.Model, expected_version: int | None) -> None:
    """Refuse a save based on an outdated read (no lost updates)."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleObjectError(
            _(
                "Someone else changed this record while you were editing it "
                "(your version %(yours)s, current %(current)s). Reload to see their change."
            )
            % {"yours": expected_version, "current": obj.version},
            code="stale",
        )


def bump_version(obj: models.Model) -> None:
    """Increment the row's version in the database and on the instance."""
    type(obj)._base_manager.filter(pk=obj.pk).update(version=models.F("version") + 1)
    obj.version += 1


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
