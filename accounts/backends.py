"""How a request's user is loaded from its session."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches
from django.db import connection

from common import stamps


class MembershipBackend(ModelBackend):
    """Django's backend, loading the session's user with their membership and its unit in
    one query (every page asks for the viewer's role, common.permissions.role_of), and
    keeping them in this process's memory under the `other` data stamp: any write to a user,
    membership or unit gives a new stamp, so a changed password, a deactivated account or a
    new role applies from the very next request (docs/caching.md). Logging in changes no
    stamp (`last_login` is not stamped), so it empties no cached page and no kept user.
    The request reads the stamps once for this and its cached parts together; with
    `LUOSHI_PAGE_CACHE=false` the user is read afresh every time."""

    def get_user(self, user_id):
        # inside a transaction the stamps may not tell its own writes yet (as stamps.cached)
        stamp = None
        if settings.PAGE_CACHE and not connection.in_atomic_block:
            stamp = stamps.for_request().get(stamps.OTHER)
        key = f"luoshi:user:{user_id}:{stamp}"
        memory = caches["default"]
        user = memory.get(key) if stamp is not None else None
        if user is None:
            model = get_user_model()
            try:
                user = model._default_manager.select_related("membership__unit").get(pk=user_id)
            except model.DoesNotExist:
                return None
            if stamp is not None:
                memory.set(key, user, 3600)
        return user if self.user_can_authenticate(user) else None
