from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.dates import DAY, MONTH
from common.permissions import Role

from .querysets import LeaderQuerySet, SectionQuerySet, UnitQuerySet


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    TOWNSHIP = "township", _("Township")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """A responsible unit (责任单位): a department, township, enterprise…"""

    objects = UnitQuerySet.as_manager()

    code = models.CharField(_("unit code"), max_length=32, unique=True)
    name = models.CharField(_("unit name"), max_length=100, unique=True)
    kind = models.CharField(
        _("unit kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    """A section (科室) inside a unit."""

    objects = SectionQuerySet.as_manager()

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="sections", verbose_name=_("unit")
    )
    name = models.CharField(_("section name"), max_length=100)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["unit", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="section_unique_name_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.name}"


class Leader(models.Model):
    """A city leader (市级领导) and the units they oversee (分管)."""

    objects = LeaderQuerySet.as_manager()

    name = models.CharField(_("name"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leader",
        verbose_name=_("user account"),
    )
    oversees = models.ManyToManyField(
        Unit, blank=True, related_name="leaders", verbose_name=_("oversees")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    # optimistic locking: an edit based on an outdated read is refused (audit.versions)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role and, for unit roles, the unit and section they belong to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("unit"),
    )
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("section"),
    )
    # the mobile number the office and the unit head keep, shown where people are chosen
    phone = models.CharField(_("mobile"), max_length=30, blank=True)
    # optimistic locking of the contact details (mobile, e-mail): see org.services.set_contact
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=[Role.UNIT_HEAD, Role.UNIT_OFFICER])
                | models.Q(unit__isnull=False),
                name="membership_unit_role_has_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


# Bounds of the due-soon window: a day is too short to act on, a quarter is not "soon".
DUE_SOON_WORKDAYS_DEFAULT = 10
DUE_SOON_WORKDAYS_MIN = 1
DUE_SOON_WORKDAYS_MAX = 60
# Years the reporting period may name (the holiday calendar and the forms use the same bounds).
YEAR_MIN = 2000
YEAR_MAX = 2100


class SiteConfig(models.Model):
    """Office-wide settings (one row): the reporting period, the time-progress rule and the
    due-soon window. They drive every figure, so they change only through
    `org.services.save_site_config` (audited, stale edits refused)."""

    name = models.CharField(_("government name"), max_length=100, default="")
    default_year = models.PositiveIntegerField(_("default year"), null=True, blank=True)
    default_as_of = models.DateField(_("default as-of date"), null=True, blank=True)
    time_progress_mode = models.CharField(
        _("time progress"),
        max_length=10,
        default=DAY,
        choices=[(DAY, _("by day")), (MONTH, _("by month"))],
    )
    due_soon_workdays = models.PositiveSmallIntegerField(
        _("due soon within (working days)"),
        default=DUE_SOON_WORKDAYS_DEFAULT,
        validators=[
            MinValueValidator(DUE_SOON_WORKDAYS_MIN),
            MaxValueValidator(DUE_SOON_WORKDAYS_MAX),
        ],
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("site configuration")
        verbose_name_plural = _("site configuration")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    due_soon_workdays__gte=DUE_SOON_WORKDAYS_MIN,
                    due_soon_workdays__lte=DUE_SOON_WORKDAYS_MAX,
                ),
                name="siteconfig_due_soon_workdays_bounded",
            )
        ]

    def __str__(self) -> str:
        return self.name or "Luoshi"


class CalendarYear(models.Model):
    """A year whose statutory holiday notice has been entered."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from Mon–Fri: a holiday on a weekday or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
