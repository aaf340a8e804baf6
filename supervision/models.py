from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.querysets import PublishedQuerySet, UnitOwnedQuerySet
from org.models import Leader, Unit

from .querysets import DispatchQuerySet


class Dispatch(models.Model):
    """A reporting round (调度) before a meeting: which units must report by when.

    The office opens it with its questions; each unit answers once, on its workbench, with the
    figures Luoshi already knows filled in (最多报一次); the office urges the late ones and
    compiles the answers into a briefing document.
    """

    objects = DispatchQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200)
    meeting_on = models.DateField(_("meeting on"))
    due_on = models.DateField(_("reports due on"))
    leader = models.ForeignKey(
        Leader, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("leader")
    )
    #: the questions put to every unit, in order (a list of strings)
    questions = models.JSONField(_("questions"), default=list, blank=True)
    #: the figures the units see are those of the office's period on this date
    as_of = models.DateField(_("figures as of"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    compiled_at = models.DateTimeField(_("last compiled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-meeting_on", "-id"]

    def __str__(self) -> str:
        return self.title


class DispatchRequest(models.Model):
    """One unit's obligation to report in a dispatch round, and whether it has."""

    objects = UnitOwnedQuerySet.as_manager()

    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.CASCADE, related_name="requests", verbose_name=_("dispatch")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="dispatch_requests", verbose_name=_("unit")
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)
    #: the unit's answers, one per question: [{"question": …, "answer": …}]
    answers = models.JSONField(_("answers"), default=list, blank=True)
    #: the figures Luoshi knew when the unit answered (never asked of the unit)
    known = models.JSONField(_("known figures"), default=dict, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by"),
    )
    urged_at = models.DateTimeField(_("last urged at"), null=True, blank=True)
    urge_count = models.PositiveSmallIntegerField(_("times urged"), default=0)
    # answers are corrected until the meeting: a save from an older page is refused
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("dispatch request")
        verbose_name_plural = _("dispatch requests")
        ordering = ["dispatch", "unit__sort_order", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "unit"], name="dispatch_request_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} {self.unit}"


class LagExplanation(models.Model):
    """A lagging unit's causes and measures (原因分析与整改措施), signed off by its leader.

    The office asks (`requested`) a unit behind time progress, with no result or with overdue
    items; the unit files causes and dated measures (`filed`); the overseeing leader signs off
    (`signed_off`: the measures become milestones) or sends it back with a comment
    (`sent_back`: the unit files again).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting the unit's explanation")
        FILED = "filed", _("Filed, awaiting the leader")
        SENT_BACK = "sent_back", _("Sent back to the unit")
        SIGNED_OFF = "signed_off", _("Signed off by the leader")

    objects = UnitOwnedQuerySet.as_manager()

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="lag_explanations", verbose_name=_("unit")
    )
    year = models.PositiveIntegerField(_("year"))
    as_of = models.DateField(_("as of"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    #: why the unit was asked, as the figures and states said on `as_of` (list of texts)
    grounds = models.JSONField(_("grounds"), default=list, blank=True)
    causes = models.TextField(_("causes"), blank=True)
    measures = models.TextField(_("corrective measures"), blank=True)
    requested_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filed by"),
    )
    leader_comment = models.TextField(_("leader's comment"), blank=True)
    signed_off_by = models.ForeignKey(
        Leader, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("signed off by")
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("lag explanation")
        verbose_name_plural = _("lag explanations")
        ordering = ["-as_of", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "as_of"], name="lag_explanation_unique_as_of")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.as_of}"


class LagMeasure(models.Model):
    """One dated corrective measure of a lag explanation; a milestone once signed off."""

    explanation = models.ForeignKey(
        LagExplanation,
        on_delete=models.CASCADE,
        related_name="measure_rows",
        verbose_name=_("lag explanation"),
    )
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("corrective measure"), max_length=200)
    due_on = models.DateField(_("due on"))
    milestone = models.OneToOneField(
        "policy.Milestone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lag_measure",
        verbose_name=_("milestone"),
    )

    class Meta:
        verbose_name = _("corrective measure")
        verbose_name_plural = _("corrective measures")
        ordering = ["explanation", "position"]

    def __str__(self) -> str:
        return f"{self.due_on} {self.text}"


class Bulletin(models.Model):
    """An issued bulletin (通报) for a year as of a date.

    Issuing freezes it: the document (.docx and .pdf bytes) and the figures it was built from
    are stored and never change afterwards (there is no update path in `services`); a later
    bulletin is compared with it (名次变化). Drafts are previews, never stored.
    """

    objects = PublishedQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    as_of = models.DateField(_("as of"))
    mode = models.CharField(_("time progress"), max_length=10, default="day")
    number = models.PositiveIntegerField(_("issue number"), default=1)
    #: the headline sentence, exactly as `luoshi summary` prints it
    body = models.TextField(_("body"))
    #: everything the document shows, as built (league, classes, items, claims, assessment)
    figures = models.JSONField(_("figures"), default=dict)
    docx = models.BinaryField(_("Word document"), default=bytes)
    pdf = models.BinaryField(_("PDF document"), default=bytes)
    rules_version = models.CharField(_("assessment rules"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="bulletin_unique_number")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # issued is frozen: a bulletin is written once, never updated
        if not self._state.adding:
            raise FrozenBulletinError(f"bulletin {self.pk} is issued and frozen")
        super().save(*args, **kwargs)


class FrozenBulletinError(RuntimeError):
    """An attempt to change an issued bulletin."""


class ScoringMethod(models.TextChoices):
    """How a rules version turns rate and work items into points (design §8)."""

    #: `default-1`: funding on the completion rate; no led item due earns the full item points
    RATE = "rate", _("By completion rate")
    #: `default-2`: funding on the completion rate against time progress; late items count
    #: half; no led item due is scored on money alone
    PROGRESS = "progress", _("By completion rate against time progress")


class AssessmentRules(models.Model):
    """A version of the assessment rules (考核规则, design §8).

    `default-1` and `default-2` are seeded by migrations and never edited; the office copies a
    version and edits the copy (weights, bonus step and cap) for a year; a copy keeps the
    method of the version it was copied from. A version that a published result used is
    locked.
    """

    objects = PublishedQuerySet.as_manager()

    code = models.CharField(_("rules version"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    #: the year these rules are for; blank: any year without rules of its own
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    method = models.CharField(
        _("scoring method"),
        max_length=20,
        choices=ScoringMethod.choices,
        default=ScoringMethod.PROGRESS,
    )
    funding_weight = models.DecimalField(
        _("funding weight (points)"), max_digits=6, decimal_places=2, default=70
    )
    items_weight = models.DecimalField(
        _("work items weight (points)"), max_digits=6, decimal_places=2, default=30
    )
    bonus_step_percent = models.PositiveSmallIntegerField(
        _("bonus step (percentage points above 100%)"), default=10
    )
    bonus_per_step = models.DecimalField(
        _("bonus per step (points)"), max_digits=6, decimal_places=2, default=2
    )
    bonus_cap = models.DecimalField(
        _("bonus cap (points)"), max_digits=6, decimal_places=2, default=10
    )
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    locked = models.BooleanField(_("locked"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("assessment rules")
        verbose_name_plural = _("assessment rules")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bonus_step_percent__gte=1), name="rules_bonus_step_positive"
            )
        ]

    def __str__(self) -> str:
        return self.code


class Assessment(models.Model):
    """Annual assessment (考核) of a unit, with the reward for exceeding its target."""

    objects = UnitOwnedQuerySet.as_manager()

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("unit")
    )
    year = models.PositiveIntegerField(_("year"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    reward_points = models.DecimalField(
        _("reward points"), max_digits=6, decimal_places=2, default=0
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="assessment_unique_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit}"
