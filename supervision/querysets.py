from common.permissions import ADMIN_ROLES, VIEW, Role, role_of
from common.querysets import ScopedQuerySet


class UnitOwnedQuerySet(ScopedQuerySet):
    unit_path = "unit"


class DispatchQuerySet(ScopedQuerySet):
    unit_path = "requests__unit"


class BulletinQuerySet(ScopedQuerySet):
    """Bulletins are city-wide documents: the office writes them, every business role reads."""

    def visible_to(self, user, action: str = VIEW):
        role = role_of(user)
        if role is None or role in ADMIN_ROLES:
            return self.none()
        if action == VIEW or role == Role.OFFICE:
            return self
        return self.none()
