"""Permission scoping in one place: which units' records a user may view or change.

Every model family's queryset derives from `ScopedQuerySet` and names the path from the model
to its unit; views, forms, exports, bulletins, the cockpit and the API all call
`Model.objects.visible_to(user, action)` and nothing else decides visibility.
"""

from django.db import models
from django.db.models import Q

from .permissions import ADMIN_ROLES, CHANGE, VIEW, Role, role_of

ALL = "all"


def unit_scope(user, action: str = VIEW, extra_roles: frozenset[str] = frozenset()):
    """`ALL`, or a queryset/list of unit ids the user may act on for `action`."""
    role = role_of(user)
    if role is None:
        return []
    if role == Role.OFFICE or role in extra_roles:
        return ALL
    if role in (Role.UNIT_HEAD, Role.UNIT_OFFICER):
        return [user.membership.unit_id]
    if role == Role.LEADER and action == VIEW:
        leader = getattr(user, "leader", None)
        if leader is None:
            return []
        return leader.oversees.values("pk")
    return []


class ScopedQuerySet(models.QuerySet):
    """A model family's scoping, declared: where its unit is, and who else sees it.

    - `unit_path`: the lookup from the model to its `org.Unit` (e.g. "unit", "target__unit",
      "assignments__unit", "pk");
    - `leader_path`: optionally, the lookup to a `Leader` whose rows that leader also reads
      (e.g. "lead_leader": a leader reads the items they lead, whatever the units);
    - `public_to_business`: a published record (policies, guides, bulletins): every business
      role reads it, the office changes it;
    - `roles_seeing_all`: roles besides the office that see every row for an action.
    """

    unit_path = "unit"
    leader_path: str | None = None
    public_to_business = False
    roles_seeing_all: dict[str, frozenset[str]] = {}

    def visible_to(self, user, action: str = VIEW):
        role = role_of(user)
        if self.public_to_business:
            if role is None or role in ADMIN_ROLES:
                return self.none()
            return self if action == VIEW or role == Role.OFFICE else self.none()
        scope = unit_scope(user, action, self.roles_seeing_all.get(action, frozenset()))
        if scope == ALL:
            return self
        condition = Q(**{f"{self.unit_path}__in": scope})
        leader = getattr(user, "leader", None) if role == Role.LEADER else None
        if self.leader_path and action == VIEW and leader is not None:
            condition |= Q(**{self.leader_path: leader})
        elif isinstance(scope, list) and not scope:
            return self.none()
        if "__" in self.unit_path or self.leader_path:
            # a to-many path would repeat rows; filter by primary key instead
            return self.filter(pk__in=self.model._base_manager.filter(condition).values("pk"))
        return self.filter(condition)

    def changeable_by(self, user):
        return self.visible_to(user, CHANGE)


class UnitOwnedQuerySet(ScopedQuerySet):
    """Records that belong to one unit (receipts, projects, reports, contacts…)."""

    unit_path = "unit"


class PublishedQuerySet(ScopedQuerySet):
    """Published records: every business role reads them, the office changes them."""

    public_to_business = True
