from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.querysets import PublishedQuerySet, UnitOwnedQuerySet
from org.models import Leader, Unit

from .querysets import DispatchQuerySet


class Dispatch(models.Model):
    """A reporting round (调度) before a meeting: which units must report by when."""

    objects = DispatchQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200)
    meeting_on = models.DateField(_("meeting on"))
    due_on = models.DateField(_("reports due on"))
    leader = models.ForeignKey(
        Leader, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("leader")
    )
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

    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.CASCADE, related_name="requests", verbose_name=_("dispatch")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="dispatch_requests", verbose_name=_("unit")
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)

    class Meta:
        verbose_name = _("dispatch request")
        verbose_name_plural = _("dispatch requests")
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
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
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
    """A generated bulletin (通报) for a year as of a date."""

    objects = PublishedQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    as_of = models.DateField(_("as of"))
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return self.title


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
