from django.db.models import OuterRef, Q, Subquery

from common.permissions import VIEW, Role, role_of
from common.querysets import ALL, ScopedQuerySet, unit_scope


class WorkItemQuerySet(ScopedQuerySet):
    unit_path = "assignments__unit"

    def visible_to(self, user, action: str = VIEW):
        scope = unit_scope(user, action)
        if scope == ALL:
            return self
        ids = self.model._base_manager.filter(assignments__unit__in=scope).values("pk")
        if role_of(user) == Role.LEADER and action == VIEW:
            leader = getattr(user, "leader", None)
            if leader is not None:
                return self.filter(Q(pk__in=ids) | Q(lead_leader=leader))
        if isinstance(scope, list) and not scope:
            return self.none()
        return self.filter(pk__in=ids)

    def with_state(self, as_of, horizon):
        """Annotate `state` on `as_of` with the due-soon `horizon` (see states.py) and
        `progress`, the latest reported percent."""
        from .models import ProgressReport
        from .states import state_expression

        latest = ProgressReport.objects.filter(work_item=OuterRef("pk")).order_by(
            "-reported_on", "-id"
        )
        return self.annotate(
            state=state_expression(as_of, horizon),
            progress=Subquery(latest.values("percent")[:1]),
        )


class MilestoneQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = VIEW):
        from .models import WorkItem

        return self.filter(work_item__in=WorkItem.objects.visible_to(user, action).values("pk"))


class UnitOwnedQuerySet(ScopedQuerySet):
    unit_path = "unit"


class PolicyQuerySet(ScopedQuerySet):
    """Policies, aspects and measures are public to every business role."""

    def visible_to(self, user, action: str = VIEW):
        from common.permissions import ADMIN_ROLES

        role = role_of(user)
        if role is None or role in ADMIN_ROLES:
            return self.none()
        if action == VIEW or role == Role.OFFICE:
            return self
        return self.none()
