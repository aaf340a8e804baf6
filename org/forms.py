"""Back-office forms of the organisation: units, sections, leaders, the holiday calendar and
the office's settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.dates import DAY, MONTH
from common.validation import (
    BoundedIntegerField,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    VersionedFormMixin,
    VersionField,
    harden_form,
)

from .models import (
    DUE_SOON_WORKDAYS_MAX,
    DUE_SOON_WORKDAYS_MIN,
    YEAR_MAX,
    YEAR_MIN,
    Unit,
    UnitKind,
)


class UnitForm(VersionedFormMixin, forms.Form):
    code = forms.CharField(label=_("Unit code"), max_length=32)
    name = forms.CharField(label=_("Unit name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    parent = BoundedModelChoiceField(
        label=_("Parent unit"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    sort_order = BoundedIntegerField(label=_("Sort order"), initial=0)
    version = VersionField(required=False)  # required when editing (see __init__)

    def __init__(self, *args, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Unit.objects.order_by("sort_order", "code")
        if unit is not None:
            parents = parents.exclude(pk=unit.pk)
            self.fields["code"].disabled = True  # the code is the key the ledger uses
            self.fields["version"].required = True
        self.fields["parent"].queryset = parents

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Section name"), max_length=100)


class LeaderForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    title = forms.CharField(label=_("Position"), max_length=100, required=False)
    sort_order = BoundedIntegerField(label=_("Sort order"), initial=0)
    oversees = BoundedModelMultipleChoiceField(
        label=_("Units overseen"),
        queryset=Unit.objects.order_by("sort_order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = VersionField(required=False)  # required when editing (see __init__)

    def __init__(self, *args, existing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if existing:
            self.fields["name"].disabled = True  # leaders are matched by name in the ledger
            self.fields["version"].required = True


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        harden_form(self)  # the calendar covers 2000–2100

    is_workday = forms.TypedChoiceField(
        label=_("This day is"),
        choices=[("0", _("a day off (holiday)")), ("1", _("a working day (make-up day)"))],
        coerce=lambda value: value == "1",
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)


class CalendarYearForm(forms.Form):
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("e.g. 国办发明电〔2025〕7号"),
    )


class SiteConfigForm(VersionedFormMixin, forms.Form):
    """The office's settings; the rules (as-of date inside the year…) live in the service."""

    name = forms.CharField(
        label=_("Government name"),
        max_length=100,
        required=False,
        help_text=_("As bulletins and page titles name it, e.g. 某某县人民政府."),
    )
    default_year = BoundedIntegerField(
        label=_("Default year"),
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        required=False,
        help_text=_("The year the cockpit, lists and bulletins report on unless one is chosen."),
    )
    default_as_of = forms.DateField(
        label=_("Default as-of date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Figures are counted up to this day; empty: today. It must lie in the year."),
    )
    time_progress_mode = forms.ChoiceField(
        label=_("Time progress"),
        choices=[
            (DAY, _("by day (day of the year ÷ days in the year)")),
            (MONTH, _("by month (completed months ÷ 12)")),
        ],
    )
    due_soon_workdays = BoundedIntegerField(
        label=_("Due soon within (working days)"),
        min_value=DUE_SOON_WORKDAYS_MIN,
        max_value=DUE_SOON_WORKDAYS_MAX,
        help_text=_(
            "A work item not done is “due soon” when it is due within this many working days "
            "of the as-of date, on the holiday calendar."
        ),
    )
    version = VersionField()


class ContactForm(VersionedFormMixin, forms.Form):
    """A person's mobile and e-mail: where e-mailed reminders and the digest go."""

    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=30,
        required=False,
        help_text=_("11 digits, e.g. 138 0000 0000."),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        help_text=_("Reminders and the leaders' weekly digest are e-mailed here."),
    )
    version = VersionField()
