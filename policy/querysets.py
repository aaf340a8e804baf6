from django.db.models import OuterRef, Q, Subquery

from common.permissions import VIEW
from common.querysets import ALL, ScopedQuerySet, unit_scope


class WorkItemQuerySet(ScopedQuerySet):
    unit_path = "assignments__unit"
    leader_path = "lead_leader"

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
    """A milestone follows its work item's units, or (a corrective measure) its own unit."""

    unit_path = "work_item__assignments__unit"
    leader_path = "work_item__lead_leader"

    def visible_to(self, user, action: str = VIEW):
        of_items = super().visible_to(user, action)
        scope = unit_scope(user, action)
        if scope == ALL:
            return self
        of_units = self.model._base_manager.filter(work_item__isnull=True, unit__in=scope)
        return self.filter(Q(pk__in=of_items.values("pk")) | Q(pk__in=of_units.values("pk")))
