import datetime as dt

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, Subquery

from common.permissions import VIEW, Role, role_of
from common.querysets import ALL, ScopedQuerySet, UnitOwnedQuerySet, unit_scope

# models.py imports this module for its managers: the models these shapes read are looked up
# in the app registry when a query runs, never imported back (no import circle).

PENDING = "pending"  # RequestStatus.PENDING (models import this module)
APPROVED = "approved"


class WorkItemQuerySet(ScopedQuerySet):
    unit_path = "assignments__unit"
    leader_path = "lead_leader"

    def with_state(self, as_of, horizon):
        """Annotate `state` on `as_of` with the due-soon `horizon` (see states.py);
        `progress`, the percent of the latest *approved* report (a report awaiting the unit
        head is never the item's progress); and what awaits a decision: `progress_pending`
        (a report awaiting the head), `close_pending` (待销号: the unit says done, the office
        has not confirmed — the state stays what it was) and `extension_pending` (延期申请待审批:
        the due date and state stay as they are until the office approves)."""
        CloseRequest = apps.get_model("policy", "CloseRequest")
        ExtensionRequest = apps.get_model("policy", "ExtensionRequest")
        ProgressReport = apps.get_model("policy", "ProgressReport")
        from .states import state_expression

        latest = (
            ProgressReport.objects.approved()
            .filter(work_item=OuterRef("pk"))
            .order_by("-reported_on", "-id")
        )
        return self.annotate(
            state=state_expression(as_of, horizon),
            progress=Subquery(latest.values("percent")[:1]),
            progress_pending=Exists(
                ProgressReport.objects.pending().filter(work_item=OuterRef("pk"))
            ),
            close_pending=Exists(
                CloseRequest.objects.filter(work_item=OuterRef("pk"), status=PENDING)
            ),
            extension_pending=Exists(
                ExtensionRequest.objects.filter(work_item=OuterRef("pk"), status=PENDING)
            ),
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

    def with_extension_pending(self):
        ExtensionRequest = apps.get_model("policy", "ExtensionRequest")

        return self.annotate(
            extension_pending=Exists(
                ExtensionRequest.objects.filter(milestone=OuterRef("pk"), status=PENDING)
            )
        )


class ProgressReportQuerySet(UnitOwnedQuerySet):
    """Reports of a unit; approved, awaiting the head, or sent back."""

    def approved(self):
        return self.filter(approved_at__isnull=False)

    def pending(self):
        return self.filter(approved_at__isnull=True, returned_at__isnull=True)

    def returned_unanswered(self, unit):
        """`unit`'s reports sent back by its head with no newer report on the same item."""
        newer = self.model.objects.filter(
            work_item=OuterRef("work_item"), unit=unit, id__gt=OuterRef("pk")
        )
        return (
            self.filter(unit=unit, returned_at__isnull=False)
            .exclude(Exists(newer))
            .select_related("work_item", "returned_by")
            .order_by("-returned_at")
        )

    def published_to(self, user):
        """What `user` reads of these reports: the office and the units see every report with
        its state (待审核, sent back); a leader reads approved reports only (design §10)."""
        return self.approved() if role_of(user) == Role.LEADER else self


class ExtensionRequestQuerySet(ScopedQuerySet):
    """An extension request is seen by whoever sees its work item or time node."""

    def visible_to(self, user, action: str = VIEW):
        Milestone = apps.get_model("policy", "Milestone")
        WorkItem = apps.get_model("policy", "WorkItem")

        if unit_scope(user, action) == ALL:
            return self
        return self.filter(
            Q(work_item__in=WorkItem.objects.visible_to(user, action).values("pk"))
            | Q(milestone__in=Milestone.objects.visible_to(user, action).values("pk"))
        )

    def pending(self):
        return self.filter(status=PENDING)


class CloseRequestQuerySet(ScopedQuerySet):
    """A close request is seen by whoever sees its work item."""

    def visible_to(self, user, action: str = VIEW):
        WorkItem = apps.get_model("policy", "WorkItem")

        if unit_scope(user, action) == ALL:
            return self
        return self.filter(work_item__in=WorkItem.objects.visible_to(user, action).values("pk"))

    def pending(self):
        return self.filter(status=PENDING)


def requests_of_unit(unit, limit: int = 10) -> list:
    """`unit`'s latest extension and close requests (pending or answered), newest first: what
    its workbench shows so the unit reads the office's answers."""
    CloseRequest = apps.get_model("policy", "CloseRequest")
    ExtensionRequest = apps.get_model("policy", "ExtensionRequest")

    rows = [
        *ExtensionRequest.objects.filter(unit=unit)
        .select_related("work_item", "milestone__work_item", "decided_by")
        .order_by("-requested_at")[:limit],
        *CloseRequest.objects.filter(unit=unit)
        .select_related("work_item", "decided_by")
        .order_by("-requested_at")[:limit],
    ]
    return sorted(rows, key=lambda r: r.requested_at, reverse=True)[:limit]


def extension_counts(first: dt.date, last: dt.date) -> dict[str, int]:
    """Extension requests (延期申请) of a bulletin's period: how many units filed from `first`
    to `last` (local dates, both included) and how many the office approved in it."""
    ExtensionRequest = apps.get_model("policy", "ExtensionRequest")

    rows = ExtensionRequest.objects.all()
    made = rows.filter(requested_at__date__range=(first, last)).count()
    approved = rows.filter(status=APPROVED, decided_at__date__range=(first, last)).count()
    return {"made": made, "approved": approved}
