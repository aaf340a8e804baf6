"""Who is acting right now: set by the request middleware or by a command, read by `record`."""

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    name: str = "system"
    role: str = ""
    ip: str | None = None
    request_id: str = ""
    client_request_id: str = ""


# Who acts when nobody said: a request names its user (AuditContextMiddleware), a command its
# own name (`audit.commands.SystemCommand`). An event with this name is a write that forgot to.
UNATTRIBUTED = Actor(name="unattributed")

_current: contextvars.ContextVar[Actor] = contextvars.ContextVar(
    "luoshi_actor",
    default=UNATTRIBUTED,  # noqa: B039 (frozen, never mutated)
)


def current_actor() -> Actor:
    return _current.get()


def actor_for_user(
    user, ip: str | None = None, request_id: str = "", client_request_id: str = ""
) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(
            name="anonymous", ip=ip, request_id=request_id, client_request_id=client_request_id
        )
    from common.permissions import role_of

    return Actor(
        user_id=user.pk,
        name=user.get_username(),
        role=role_of(user) or "",
        ip=ip,
        request_id=request_id,
        client_request_id=client_request_id,
    )


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def system_actor(command: str) -> Actor:
    """The named actor of a management command: "luoshi import_ledger", "luoshi demo"…"""
    return Actor(name=f"luoshi {command}")
