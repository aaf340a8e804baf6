import re
import uuid

from django.core.exceptions import PermissionDenied

from .context import acting_as, actor_for_user

# What a client may say its request id is: a few safe characters, at most 64 of them.
_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]")


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def clean_client_request_id(raw: str) -> str:
    """The client's X-Request-ID as it may be stored: only letters, digits and `._:-`, at most
    64 characters; anything else is dropped (it is the client's claim, never the event's id)."""
    return _UNSAFE.sub("", raw[:256])[:64]


class AuditContextMiddleware:
    """Makes the requesting user, IP and a request id the actor of every audit event.

    The request id is always the server's own; the client's X-Request-ID is kept apart
    (cleaned) so a client can neither choose nor forge the id the audit trail files it under."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        request.client_request_id = clean_client_request_id(request.headers.get("X-Request-ID", ""))
        actor = actor_for_user(
            getattr(request, "user", None),
            client_ip(request),
            request.request_id,
            request.client_request_id,
        )
        with acting_as(actor):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            from .services import record

            record(
                "security.permission_denied",
                None,
                success=False,
                object_type="http.request",
                object_repr=request.path[:300],
                after={"method": request.method, "path": request.path},
            )
        return None
