"""Permission scoping in one place: which units' records a user may view or change.

Every model family's queryset derives from `ScopedQuerySet` and names the path from the model
to its unit; views, forms, exports, bulletins, the cockpit and the API all call
`Model.objects.visible_to(user, action)` and nothing else decides visibility.
"""

from django.db import models

from .permissions import CHANGE, VIEW, Role, role_of

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
    #: the lookup from this model to its `org.Unit` (e.g. "unit", "target__unit", "pk")
    unit_path = "unit"
    #: roles besides the office that see every row of this family for an action
    roles_seeing_all: dict[str, frozenset[str]] = {}

    def visible_to(self, user, action: str = VIEW):
        scope = unit_scope(user, action, self.roles_seeing_all.get(action, frozenset()))
        if scope == ALL:
            return self
        if isinstance(scope, list) and not scope:
            return self.none()
        lookup = f"{self.unit_path}__in"
        if "__" in self.unit_path and not self.unit_path.startswith("pk"):
            # a to-many path would repeat rows; filter by primary key instead
            return self.filter(
                pk__in=self.model._base_manager.filter(**{lookup: scope}).values("pk")
            )
        return self.filter(**{lookup: scope})

    def changeable_by(self, user):
        return self.visible_to(user, CHANGE)
