"""Audit records for events other layers announce by signal (common never imports audit)."""

from .services import record


def record_scope_denial(sender, *, user, action: str, obj, **kwargs) -> None:
    """A record looked up outside the user's scope: the page answered 404; the attempt (who,
    which record, to view or to change) is kept like any refused request."""
    record(
        "security.scope_denied",
        obj,
        success=False,
        user=user,
        after={"action": action, "model": sender._meta.label_lower},
    )
