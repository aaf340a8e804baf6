import uuid

from django.core.exceptions import PermissionDenied

from .context import acting_as, actor_for_user


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the requesting user, IP and a request id the actor of every audit event."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        actor = actor_for_user(
            getattr(request, "user", None), client_ip(request), request.request_id
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
