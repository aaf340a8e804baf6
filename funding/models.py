from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.files import PrivateFolder
from common.models import OfficeRequest
from common.money import format_amount
from common.querysets import PublishedQuerySet, UnitOwnedQuerySet
from org.models import Leader, Section, Unit
from policy.models import Aspect, Measure

from .choices import (
    ContactDirection,
    ContactResult,
    CorrectionKind,
    CorrectionState,
    LeadStatus,
    Level,
    ReceiptState,
    Stage,
)
from .docno import DOC_KEY_LENGTH
from .querysets import (
    CountedReceiptManager,
    ProjectMaterialQuerySet,
    ReceiptCorrectionQuerySet,
    ReceiptQuerySet,
    TargetQuerySet,
    TargetRevisionQuerySet,
)


class Channel(models.Model):
    """A funding channel (资金渠道): 中央预算内投资, 专项债券, 省级专项…"""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)

    class Meta:
        verbose_name = _("funding channel")
        verbose_name_plural = _("funding channels")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A unit's annual funding-striving target (对上争取任务), in 元; revisions keep history.

    The amount it was set with is in force from 1 January; each `TargetRevision` changes it
    from its effective date on. `amount` is the annual target as it now stands: the amount in
    force on 31 December, i.e. that of the revision with the latest effective date (the latest
    saved among those of that date), or the original amount when there is no revision. Figures
    as of a date do not read `amount`: they ask `querysets.targets_in_force`.
    """

    objects = TargetQuerySet.as_manager()

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="targets", verbose_name=_("unit")
    )
    year = models.PositiveIntegerField(_("year"))
    amount = models.BigIntegerField(_("target (元)"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-year", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="target_unique_unit_year"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="target_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit}"


class TargetRevision(models.Model):
    """One change of a target: old and new amount, from which day, why, who and when.

    `old_amount` is the amount that was in force on `effective_on` before this change.
    """

    objects = TargetRevisionQuerySet.as_manager()

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("target")
    )
    old_amount = models.BigIntegerField(_("old amount (元)"))
    new_amount = models.BigIntegerField(_("new amount (元)"))
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("target revision")
        verbose_name_plural = _("target revisions")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.target}: {format_amount(self.old_amount)} → {format_amount(self.new_amount)}"


class Project(models.Model):
    """A project being striven for, from reserve (储备) to funded (到位) or rejected."""

    objects = UnitOwnedQuerySet.as_manager()

    code = models.CharField(_("project code"), max_length=40, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="projects", verbose_name=_("unit")
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("section")
    )
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("channel"),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    measure = models.ForeignKey(
        Measure,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("policy measure"),
    )
    requested = models.BigIntegerField(_("requested (元)"), null=True, blank=True)
    approved_amount = models.BigIntegerField(_("approved (元)"), null=True, blank=True)
    total_investment = models.BigIntegerField(_("total investment (元)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.RESERVE
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    # 纳入计划: the higher-level plan or project library it was included in, and when
    included_plan = models.CharField(_("plan included in"), max_length=200, blank=True)
    included_batch = models.CharField(_("batch"), max_length=100, blank=True)
    included_on = models.DateField(_("included on"), null=True, blank=True)
    included_amount = models.BigIntegerField(_("amount in the plan (元)"), null=True, blank=True)
    plan_year = models.PositiveIntegerField(_("plan year"), null=True, blank=True)
    owner = models.CharField(_("person responsible"), max_length=50, blank=True)
    # the person who follows the project up with the higher level (对上衔接专人): a member of
    # the project's unit, chosen from the people Luoshi knows
    follow_up = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_projects",
        verbose_name=_("follow-up person (对上衔接)"),
    )
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    guide = models.ForeignKey(
        "Guide",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("application guide"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        # the project list's sorts, a page at a time (ties broken by id)
        indexes = [
            models.Index(fields=[name, "id"], name=f"project_by_{name}")
            for name in ("name", "level", "stage", "requested", "applied_on", "plan_year")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested__gte=0) | models.Q(requested__isnull=True),
                name="project_requested_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="project_stage_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=[*Level.values, ""]), name="project_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(approved_amount__gte=0) | models.Q(approved_amount__isnull=True),
                name="project_approved_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(total_investment__gte=0)
                | models.Q(total_investment__isnull=True),
                name="project_investment_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectStageChange(models.Model):
    """A step in a project's history of stages."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("project")
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    changed_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return (
            f"{self.project.code} {self.get_from_stage_display()} → {self.get_to_stage_display()}"
        )


class Receipt(models.Model):
    """Money actually secured (到位资金), in 元.

    Never edited in place nor deleted (design §10): a correction approved by the office marks
    it voided or superseded (by the corrected receipt, whose `corrects` points back at it), a
    double claim rejected marks it rejected. Only receipts in effect count: `objects` holds
    them alone, so every figure, check, list and export leaves the others out; `every` holds
    all, for the receipt's own page, the office's lists and the corrections."""

    objects = CountedReceiptManager()
    every = ReceiptQuerySet.as_manager()

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("unit")
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("project"),
    )
    amount = models.BigIntegerField(_("amount (元)"))
    received_on = models.DateField(_("received on"), db_index=True)
    doc_no = models.CharField(_("document number"), max_length=100, blank=True)
    # normalise_doc_no(doc_no), written by the services and the ledger import: the key that
    # finds duplicates and doubtful claims (design §3.1)
    doc_key = models.CharField(
        _("document number (normalised)"),
        max_length=DOC_KEY_LENGTH,
        blank=True,
        db_index=True,
        editable=False,
    )
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("channel"),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # db_default: the bulk paths' raw INSERTs (the ledger, `luoshi synth`) leave it out
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ReceiptState.choices,
        default=ReceiptState.ACTIVE,
        db_default="active",
    )
    # the receipt this one corrects (an approved amendment): that one is superseded
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
        verbose_name=_("corrects"),
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="receipt_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=[*Level.values, ""]), name="receipt_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=ReceiptState.values), name="receipt_state_valid"
            ),
            # a receipt voided or corrected keeps its row: the key holds among those in effect
            models.UniqueConstraint(
                fields=["unit", "received_on", "amount", "doc_no"],
                condition=models.Q(state="active"),
                name="receipt_natural_key_in_effect",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "received_on"]),
            # the receipt list's sorts, a page at a time out of a million (ties broken by id)
            models.Index(fields=["amount", "id"], name="receipt_by_amount"),
            models.Index(fields=["doc_no", "id"], name="receipt_by_doc_no"),
            models.Index(fields=["level", "id"], name="receipt_by_level"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.unit} {format_amount(self.amount)}"

    @property
    def in_effect(self) -> bool:
        return self.state == ReceiptState.ACTIVE


class ReceiptCorrection(OfficeRequest):
    """A correction (更正) of a receipt, design §10: a unit (for its own receipts) or the office
    asks to void it or amend amount, date, 文号, channel or project, with a reason; the office
    approves or refuses with a comment. The office's rejection of a double claim and its
    reinstatement are kept here too, decided when made. `changes` of an amendment: field →
    new value (`amount` 元, `received_on` ISO date, `doc_no`, `channel` and `project` ids or
    null); `replacement` is the corrected receipt an approved amendment recorded."""

    STATE_FIELD = "state"

    objects = ReceiptCorrectionQuerySet.as_manager()

    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("receipt")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CorrectionKind.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=CorrectionState.choices,
        default=CorrectionState.PENDING,
    )
    # the base's answer, restated with the labels the corrections have always shown
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    comment = models.CharField(pgettext_lazy("correction", "comment"), max_length=300, blank=True)
    replacement = models.ForeignKey(
        Receipt,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrected receipt"),
    )

    class Meta:
        verbose_name = _("receipt correction")
        verbose_name_plural = _("receipt corrections")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt"],
                condition=models.Q(state="pending"),
                name="receipt_correction_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CorrectionKind.values), name="correction_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=CorrectionState.values),
                name="correction_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "decided_at"], name="correction_by_decision")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.receipt_id}"


class ClaimReview(models.Model):
    """The office's decision on a doubtful claim (重复申报待核实): one 文号 recorded by
    several units. Confirming says the document funds all of `units`; a receipt of that 文号
    from a unit not among them makes the claim doubtful again."""

    doc_key = models.CharField(
        _("document number (normalised)"), max_length=DOC_KEY_LENGTH, unique=True
    )
    doc_no = models.CharField(_("document number"), max_length=100)
    units = models.ManyToManyField(
        Unit, related_name="+", verbose_name=_("units funded by the document")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("claim review")
        verbose_name_plural = _("claim reviews")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return self.doc_no


class Lead(models.Model):
    """An opportunity (争取线索) not yet a project."""

    objects = UnitOwnedQuerySet.as_manager()

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="leads", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    aspect = models.ForeignKey(
        Aspect, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("aspect")
    )
    estimated = models.BigIntegerField(_("estimated (元)"), null=True, blank=True)
    noted_on = models.DateField(_("noted on"))
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.OPEN
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("project"),
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-noted_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Guide(models.Model):
    """A published application guide (申报指南): who issued it, for what, by when."""

    objects = PublishedQuerySet.as_manager()

    code = models.CharField(_("guide code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guides",
        verbose_name=_("channel"),
    )
    aspect = models.ForeignKey(
        Aspect, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("aspect")
    )
    # unknown for a guide a ledger lists without its date (design §4): never "today"
    published_on = models.DateField(_("published on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    materials = models.TextField(_("materials required"), blank=True)
    units = models.ManyToManyField(
        Unit, blank=True, related_name="guides", verbose_name=_("units concerned")
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("application guide")
        verbose_name_plural = _("application guides")
        # newest first on every database (PostgreSQL would put the unknown dates first)
        ordering = [models.F("published_on").desc(nulls_last=True), "title"]

    def __str__(self) -> str:
        return self.title


class Contact(models.Model):
    """A liaison with a higher-level counterpart: a visit out (跑) or a visit in (请)."""

    objects = UnitOwnedQuerySet.as_manager()

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("unit")
    )
    direction = models.CharField(_("direction"), max_length=10, choices=ContactDirection.choices)
    occurred_on = models.DateField(_("date"))
    counterpart = models.CharField(_("counterpart"), max_length=200)
    people = models.CharField(_("people"), max_length=200, blank=True)
    leader = models.ForeignKey(
        Leader,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("leader taking part"),
    )
    summary = models.TextField(_("summary"), blank=True)
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("project"),
    )
    # picked from the counterpart directory (对口联系); `counterpart` keeps its name as written
    directory = models.ForeignKey(
        "Counterpart",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("counterpart department"),
    )
    # what the contact led to: the project's approval, or money received
    result = models.CharField(_("result"), max_length=20, choices=ContactResult.choices, blank=True)
    result_receipt = models.ForeignKey(
        "Receipt",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("receipt it led to"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.unit} → {self.counterpart}"


class MaterialRequirement(models.Model):
    """One item of the materials checklist (申报材料清单) of a channel: 可研批复, 用地预审, 环评…
    A requirement without a channel applies to every project. The office edits the list."""

    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="material_requirements",
        verbose_name=_("channel"),
    )
    name = models.CharField(_("material"), max_length=100)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("required material")
        verbose_name_plural = _("required materials")
        ordering = ["channel__code", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "name"], name="material_requirement_unique_per_channel"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProjectMaterial(models.Model):
    """A file attached to a project (an application material), stored in
    LUOSHI_DATA_DIR/materials (see common.files), served only to those who may see the project."""

    FOLDER = PrivateFolder("materials")
    objects = ProjectMaterialQuerySet.as_manager()

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="materials", verbose_name=_("project")
    )
    requirement = models.ForeignKey(
        MaterialRequirement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="files",
        verbose_name=_("checklist item"),
    )
    name = models.CharField(_("file name"), max_length=200)
    storage_name = models.CharField(max_length=100, unique=True, editable=False)  # in FOLDER
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(max_length=64, editable=False)
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
        verbose_name = _("project material")
        verbose_name_plural = _("project materials")
        ordering = ["project", "requirement__sort_order", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


from .rollups import ReceiptCityMonth, ReceiptSharedDoc, ReceiptUnitMonth  # noqa: E402,F401  (models of this app)


class Counterpart(models.Model):
    """A higher-level department in the counterpart directory (对口联系): a ministry's or a
    province's department or division the city's units deal with."""

    name = models.CharField(_("department"), max_length=200, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    units = models.ManyToManyField(
        Unit, blank=True, related_name="counterparts", verbose_name=_("units dealing with it")
    )
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("counterpart department")
        verbose_name_plural = _("counterpart departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CounterpartPerson(models.Model):
    """A person to contact at a counterpart department: name, post and phone."""

    counterpart = models.ForeignKey(
        Counterpart,
        on_delete=models.CASCADE,
        related_name="people",
        verbose_name=_("counterpart department"),
    )
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("counterpart contact person")
        verbose_name_plural = _("counterpart contact people")
        ordering = ["counterpart", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["counterpart", "name"], name="counterpart_person_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）" if self.post else self.name
