"""What every funding service shares: the office's check, and the audit event of a
single or bulk write."""

from audit.services import AuditBatch, record
from common.permissions import Role, role_of
from common.services import require


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


def _audit(audit: AuditBatch | None, action: str, obj, *, before=None, after=None, user=None):
    """One audit event: into a bulk change's batch when there is one, else recorded now."""
    if audit is not None:
        audit.add(action, obj, before=before, after=after)
    else:
        record(action, obj, before=before, after=after, user=user)
