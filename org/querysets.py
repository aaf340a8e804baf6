from common.permissions import CHANGE, VIEW, Role
from common.querysets import ScopedQuerySet


class UnitQuerySet(ScopedQuerySet):
    unit_path = "pk"
    # The system administrator maintains the organisation (units, sections, people).
    roles_seeing_all = {
        VIEW: frozenset({Role.SYSTEM_ADMIN}),
        CHANGE: frozenset({Role.SYSTEM_ADMIN}),
    }


class SectionQuerySet(UnitQuerySet):
    unit_path = "unit"


class LeaderQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = VIEW):
        from common.permissions import role_of

        role = role_of(user)
        if role in (Role.OFFICE, Role.SYSTEM_ADMIN):
            return self
        if action == VIEW and role in (Role.LEADER, Role.UNIT_HEAD, Role.UNIT_OFFICER):
            return self  # who leads what is public inside the government
        return self.none()
