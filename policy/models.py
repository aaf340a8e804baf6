from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.files import PrivateFolder
from common.models import OfficeRequest
from common.querysets import PublishedQuerySet, UnitOwnedQuerySet
from org.models import Leader, Section, Unit

from .querysets import (
    CloseRequestQuerySet,
    ExtensionRequestQuerySet,
    MilestoneQuerySet,
    ProgressReportQuerySet,
    WorkItemQuerySet,
)


class Aspect(models.Model):
    """One of the aspects of support (方面): projects, funds, land, talent…; configurable."""

    objects = PublishedQuerySet.as_manager()

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("aspect")
        verbose_name_plural = _("aspects")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Policy(models.Model):
    """A higher-level policy document (上级政策文件)."""

    objects = PublishedQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    issuer = models.CharField(_("issuer"), max_length=100, blank=True)
    doc_no = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-issued_on", "title"]

    def __str__(self) -> str:
        return self.short_name or self.title


class Measure(models.Model):
    """A support measure (政策条款) of a policy, under one aspect."""

    objects = PublishedQuerySet.as_manager()

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="measures", verbose_name=_("policy")
    )
    aspect = models.ForeignKey(
        Aspect, on_delete=models.PROTECT, related_name="measures", verbose_name=_("aspect")
    )
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("text"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["policy", "code"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="measure_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"


class MeetingKind(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch meeting (调度会)")
    TOPIC = "topic", _("Topic meeting (专题会)")


class Meeting(models.Model):
    """A meeting (调度会 / 专题会) whose decisions (会议议定事项) are followed as work items."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("held on"))
    chair = models.ForeignKey(
        Leader,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings_chaired",
        verbose_name=_("chair"),
    )
    attendees = models.TextField(_("attendees"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class WorkItem(models.Model):
    """A work item (工作事项) from the decomposition of a policy, or a meeting's decision."""

    objects = WorkItemQuerySet.as_manager()

    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="work_items", verbose_name=_("policy")
    )
    measure = models.ForeignKey(
        Measure,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_items",
        verbose_name=_("measure"),
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    goal = models.TextField(_("goal"), blank=True)
    lead_leader = models.ForeignKey(
        Leader, on_delete=models.PROTECT, related_name="work_items", verbose_name=_("lead leader")
    )
    units = models.ManyToManyField(
        Unit, through="Assignment", related_name="work_items", verbose_name=_("responsible units")
    )
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)
    # a meeting's decision (会议议定事项) is a work item from that meeting
    source_meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("source meeting"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    CO = "co", _("Co-unit")


class Assignment(models.Model):
    """A unit's part in a work item: the one lead unit (牵头) or a co-unit (配合)."""

    work_item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("work item")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["work_item", "unit"], name="assignment_unique_unit"),
            models.UniqueConstraint(
                fields=["work_item"],
                condition=models.Q(role="lead"),
                name="assignment_one_lead_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_item.code} {self.unit} ({self.get_role_display()})"


class Milestone(models.Model):
    """A dated step (时间节点) of a work item, or a unit's corrective measure (整改措施).

    A milestone of a work item follows the item's units; a measure from a lag explanation has
    no item and belongs to `unit`. Rescheduling keeps the old date in `DueDateChange`.
    """

    objects = MilestoneQuerySet.as_manager()

    work_item = models.ForeignKey(
        WorkItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("work item"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measure_milestones",
        verbose_name=_("unit"),
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_item__isnull=False) | models.Q(unit__isnull=False),
                name="milestone_has_item_or_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.due_on} {self.title}"


class DueDateChange(models.Model):
    """A rescheduling (调整时限) of a work item or milestone: old and new date, and why."""

    work_item = models.ForeignKey(
        WorkItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="due_date_changes",
        verbose_name=_("work item"),
    )
    milestone = models.ForeignKey(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="due_date_changes",
        verbose_name=_("milestone"),
    )
    old_due_on = models.DateField(_("old due date"))
    new_due_on = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    # set when the office approved a unit's extension request (延期申请) for this change
    extension_request = models.ForeignKey(
        "ExtensionRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        verbose_name=_("extension request"),
    )

    class Meta:
        verbose_name = _("due date change")
        verbose_name_plural = _("due date changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.old_due_on} → {self.new_due_on}"


class Evidence(models.Model):
    """A file attached as evidence (佐证材料) when a work item or milestone is marked done.

    The file lives in LUOSHI_DATA_DIR/evidence (see common.files), named by a random key; it
    is served only to those who may see the item or milestone.
    """

    FOLDER = PrivateFolder("evidence")

    work_item = models.ForeignKey(
        WorkItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("work item"),
    )
    milestone = models.ForeignKey(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("milestone"),
    )
    # evidence filed with a unit's request: still attached to its item or milestone (who may
    # see those may read it), shown with the request
    extension_request = models.ForeignKey(
        "ExtensionRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("extension request"),
    )
    close_request = models.ForeignKey(
        "CloseRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("close request"),
    )
    name = models.CharField(_("file name"), max_length=200)
    stored_as = models.CharField(max_length=80, unique=True, editable=False)  # in FOLDER
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class WorkPlan(models.Model):
    """A unit's work plan (工作计划) for an item: a deadline and steps scheduled backwards."""

    objects = UnitOwnedQuerySet.as_manager()

    work_item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, related_name="plans", verbose_name=_("work item")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="work_plans", verbose_name=_("unit")
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("section")
    )
    owner = models.CharField(_("person responsible"), max_length=50, blank=True)
    content = models.TextField(_("plan"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(fields=["work_item", "unit"], name="workplan_unique_unit")
        ]

    def __str__(self) -> str:
        return f"{self.work_item.code} {self.unit}"


class PlanStep(models.Model):
    """One step of a work plan: N working days, scheduled backwards from the deadline."""

    plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="steps", verbose_name=_("work plan")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("step"), max_length=200)
    workdays = models.PositiveSmallIntegerField(_("working days"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("section")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    milestone = models.OneToOneField(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_step",
        verbose_name=_("milestone"),
    )

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ProgressReport(models.Model):
    """A unit's dated progress report (进展反馈) on a work item.

    Submitted by the officer, it is approved or sent back (with a comment) by the unit head;
    only the latest approved report is the item's progress anywhere (design §10)."""

    objects = ProgressReportQuerySet.as_manager()

    work_item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, related_name="reports", verbose_name=_("work item")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="progress_reports", verbose_name=_("unit")
    )
    reported_on = models.DateField(_("reported on"))
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    text = models.TextField(_("progress"))
    problems = models.TextField(_("problems"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reporter"),
    )
    # The unit head approves what the officer submits (the head's own reports need no second
    # signature); until then the report is "submitted".
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # …or sent back by the head with a comment; the officer files a new report
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent back by"),
    )
    returned_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    return_comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="progress_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(approved_at__isnull=True) | models.Q(returned_at__isnull=True),
                name="progress_approved_or_returned",
            ),
        ]

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_returned(self) -> bool:
        return self.returned_at is not None

    @property
    def is_pending(self) -> bool:
        return self.approved_at is None and self.returned_at is None

    def __str__(self) -> str:
        return f"{self.reported_on} {self.unit} {self.work_item.code}"


class RequestStatus(models.TextChoices):
    """Where a unit's request to the office stands."""

    PENDING = "pending", _("Awaiting the office")
    APPROVED = "approved", _("Approved by the office")
    REFUSED = "refused", _("Refused by the office")


class UnitRequest(OfficeRequest):
    """What a unit asks of the office, and the office's answer (who, when, comment)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )

    class Meta:
        abstract = True


class ExtensionRequest(UnitRequest):
    """A unit's request to move a due date (延期申请) of a work item or a time node.

    A unit never moves its own due dates: the office approves (the date moves, the old one is
    kept as a `DueDateChange`) or refuses with a comment. While pending, the item or node
    keeps its date and its state (design §10)."""

    objects = ExtensionRequestQuerySet.as_manager()

    work_item = models.ForeignKey(
        WorkItem,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extension_requests",
        verbose_name=_("work item"),
    )
    milestone = models.ForeignKey(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="extension_requests",
        verbose_name=_("milestone"),
    )
    old_due_on = models.DateField(_("current due date"))
    new_due_on = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_item__isnull=False, milestone__isnull=True)
                | models.Q(work_item__isnull=True, milestone__isnull=False),
                name="extension_request_item_or_milestone",
            ),
            models.UniqueConstraint(
                fields=["work_item"],
                condition=models.Q(status="pending", work_item__isnull=False),
                name="extension_request_one_pending_per_item",
            ),
            models.UniqueConstraint(
                fields=["milestone"],
                condition=models.Q(status="pending", milestone__isnull=False),
                name="extension_request_one_pending_per_milestone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.old_due_on} → {self.new_due_on}"

    @property
    def target(self):
        return self.work_item if self.work_item_id is not None else self.milestone

    @property
    def status_label(self) -> str:
        return str(EXTENSION_LABELS[self.status])


class CloseRequest(UnitRequest):
    """A lead unit's "done" for a work item (办结申请): the item shows 待销号 until the office
    confirms it (销号: the item is done on the date the unit gave) or returns it with a
    comment. `WorkItem.done_on` is set only by a confirmation (design §10)."""

    objects = CloseRequestQuerySet.as_manager()

    work_item = models.ForeignKey(
        WorkItem,
        on_delete=models.CASCADE,
        related_name="close_requests",
        verbose_name=_("work item"),
    )
    done_on = models.DateField(_("done on"))
    note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("close request")
        verbose_name_plural = _("close requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_item"],
                condition=models.Q(status="pending"),
                name="close_request_one_pending_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.work_item.code} {self.done_on}"

    @property
    def status_label(self) -> str:
        return str(CLOSE_LABELS[self.status])


EXTENSION_LABELS = {
    RequestStatus.PENDING: _("Extension awaiting approval"),
    RequestStatus.APPROVED: _("Extension approved"),
    RequestStatus.REFUSED: _("Extension refused"),
}
CLOSE_LABELS = {
    RequestStatus.PENDING: _("Awaiting closing"),
    RequestStatus.APPROVED: _("Closed by the office"),
    RequestStatus.REFUSED: _("Closing returned"),
}


class UnitAlias(models.Model):
    """A short name (简称) the office keeps for a unit: policy texts are read with these
    besides the aliases derived from every unit's full name (policy/drafting/names.py)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("unit")
    )
    alias = models.CharField(_("alias"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.unit}"


class ItemTeam(models.Model):
    """A unit's part of an item's team (一套班子): its person responsible and its contact
    person, members of the unit; with the item's lead leader, they are who reminders reach."""

    work_item = models.ForeignKey(
        WorkItem, on_delete=models.CASCADE, related_name="teams", verbose_name=_("work item")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="item_teams", verbose_name=_("unit")
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contact person"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("item team")
        verbose_name_plural = _("item teams")
        constraints = [
            models.UniqueConstraint(fields=["work_item", "unit"], name="itemteam_unique_unit")
        ]

    def __str__(self) -> str:
        return f"{self.work_item.code} {self.unit}"
