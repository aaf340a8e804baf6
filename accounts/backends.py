"""How a request's user is loaded from its session."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MembershipBackend(ModelBackend):
    """Django's backend, loading the session's user with their membership and its unit in
    one query (every page asks for the viewer's role, common.permissions.role_of). Read for
    every request, never kept: a changed password, a deactivated account or a new role
    applies from the very next request, and the login depends on no cache."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("membership__unit").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
