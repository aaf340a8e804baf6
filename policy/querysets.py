from django.db.models import OuterRef, Subquery

from common.querysets import ScopedQuerySet


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
    unit_path = "work_item__assignments__unit"
    leader_path = "work_item__lead_leader"
