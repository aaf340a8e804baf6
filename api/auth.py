"""Who calls the API: a person's API token (Authorization: Bearer …) or their session
(CSRF checked on writes). Only the business roles use the API; the three administrators get 403
(三员分立: none of them reads business data)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from audit import context as audit_context
from audit.middleware import client_ip
from common.permissions import BUSINESS_ROLES, role_of

from . import services


def _admit(request, user):
    if role_of(user) not in BUSINESS_ROLES:
        raise PermissionDenied
    if getattr(request, "user", None) is not user:
        request.user = user
        # The middleware named the (anonymous) caller before the token was read; from here on
        # the token's owner is the actor of every audit event, with the request's IP and id.
        # AuditContextMiddleware resets the variable to its earlier value when the response
        # leaves, which ends this too (a `with` block cannot span the view from here).
        audit_context._current.set(
            audit_context.actor_for_user(
                user, client_ip(request), getattr(request, "request_id", "")
            )
        )
    return user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer lsk_…` — a token made on the API tokens page."""

    def authenticate(self, request, token: str):
        user = services.user_for_token(token)
        if user is None:
            # a refused token is refused outright, even alongside a logged-in session cookie
            raise AuthenticationError
        return _admit(request, user)


class SessionAuth(APIKeyCookie):
    """The browser's session, as on the pages; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None  # answer 401, not a CSRF error, to a caller who is not logged in
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key is None or not request.user.is_authenticated:
            return None
        return _admit(request, request.user)
