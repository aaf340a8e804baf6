"""What every policy service shares: the office's check, and a change saved and audited
field by field."""

from audit.services import changes, record
from common.permissions import Role, role_of
from common.services import require


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


def save_changes(user, obj, before: dict, after: dict, action: str) -> None:
    """Save `obj` with its version up and audit the fields that changed from `before` to
    `after` (with the new version); nothing when nothing changed."""
    old, new = changes(before, after)
    if new:
        obj.version += 1
        obj.save()
        new["version"] = obj.version
        record(action, obj, before=old, after=new, user=user)
