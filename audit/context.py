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


_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("luoshi_actor", default=Actor())  # noqa: B039 (frozen)


def current_actor() -> Actor:
    return _current.get()


def actor_for_user(user, ip: str | None = None, request_id: str = "") -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(name="anonymous", ip=ip, request_id=request_id)
    from common.permissions import role_of

    return Actor(
        user_id=user.pk,
        name=user.get_username(),
        role=role_of(user) or "",
        ip=ip,
        request_id=request_id,
    )


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
