import datetime as dt
from itertools import groupby

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.money import AmountError, parse_amount
from common.validation import (
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    InputError,
    ScopedModelChoiceField,
    VersionedFormMixin,
    VersionField,
    check_event_date,
    harden_form,
)
from org.models import Section, Unit
from org.people import person_label
from policy.models import Aspect, Measure

from .choices import ContactResult, Level
from .models import Channel, MaterialRequirement, Project, Receipt
from .services.guides import GUIDE_FIELDS

# A browser's date picker reads and writes ISO dates, whatever the page's language.
ISO_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TargetForm(VersionedFormMixin, forms.Form):
    """The office changes a target of `year` from an effective date on, saying why."""

    amount = forms.CharField(
        label=_("Annual target (万元)"), help_text=_("e.g. 36000, 3.6亿 or 36,000万")
    )
    effective_on = forms.DateField(label=_("Effective from"), widget=ISO_DATE_INPUT)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)
    version = VersionField()

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        field = self.fields["effective_on"]
        field.help_text = _(
            "Figures as of this day and later use the new amount; earlier ones keep the old. "
            "A day in %(year)s."
        ) % {"year": year}
        field.widget.attrs.update({"min": f"{year}-01-01", "max": f"{year}-12-31"})

    def clean_amount(self) -> int:
        try:
            return parse_amount(self.cleaned_data["amount"])
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_effective_on(self):
        day = self.cleaned_data["effective_on"]
        if day.year != self.year:
            raise forms.ValidationError(
                _("The effective date must be within %(year)s, the year of the target.")
                % {"year": self.year}
            )
        return day


class GuideForm(forms.Form):
    code = forms.CharField(
        label=_("Guide code"),
        max_length=40,
        required=False,
        help_text=_("Left empty, Luoshi numbers it ZN<year>-NNN."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    issuer = forms.CharField(label=_("Issuer"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    channel = BoundedModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.order_by("code"), required=False
    )
    aspect = BoundedModelChoiceField(
        label=_("Aspect"), queryset=Aspect.objects.order_by("sort_order"), required=False
    )
    published_on = forms.DateField(
        label=_("Published on"),
        widget=ISO_DATE_INPUT,
        required=False,
        help_text=_("Leave it empty when the date is not known."),
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=ISO_DATE_INPUT)
    scope = forms.CharField(
        label=_("Scope"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    materials = forms.CharField(
        label=_("Materials required"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    units = BoundedModelMultipleChoiceField(
        label=_("Units concerned"),
        queryset=Unit.objects.order_by("sort_order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    past_deadline_ok = forms.BooleanField(
        label=_("Record it although its deadline has passed"), required=False
    )
    version = VersionField(required=False)

    def __init__(self, *args, today, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.editing = editing
        if editing:
            self.fields["code"].disabled = True
            del self.fields["past_deadline_ok"]
        harden_form(self)  # the dates inside 2000–2100

    def clean(self):
        data = super().clean()
        published, deadline = data.get("published_on"), data.get("deadline")
        if published and deadline and deadline < published:
            self.add_error("deadline", _("The deadline cannot be before the publication date."))
        elif deadline and deadline < self.today and not self.editing:
            if not data.get("past_deadline_ok"):
                self.add_error(
                    "deadline",
                    _(
                        "The deadline %(deadline)s has already passed (today is %(today)s): no "
                        "unit can still apply. Check the date, or tick the box below to record "
                        "the guide for the record."
                    )
                    % {"deadline": deadline.isoformat(), "today": self.today.isoformat()},
                )
        for key in ("code", "title", "issuer", "scope", "conditions", "materials"):
            if isinstance(data.get(key), str):
                data[key] = data[key].strip()
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        return {key: data[key] for key in GUIDE_FIELDS}


class AmountWanField(forms.CharField):
    """An amount in 万元 by default (亿/万/元 understood), optional unless required."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = parse_amount(value)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount < 0:
            raise forms.ValidationError(_("An amount cannot be negative."))
        return amount


def _people_of(unit):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(membership__unit=unit, is_active=True)
        .select_related("membership", "membership__section")
        .order_by("first_name", "username")
    )


class PersonChoiceField(ScopedModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class MeasureChoiceIterator(forms.models.ModelChoiceIterator):
    """The measures grouped under their policy (an <optgroup> each): measures of two
    policies share codes (一, 二…) and would otherwise read the same."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for policy, measures in groupby(self.queryset, key=lambda m: m.policy):
            yield (str(policy), [self.choice(m) for m in measures])


class MeasureChoiceField(BoundedModelChoiceField):
    iterator = MeasureChoiceIterator

    def label_from_instance(self, obj) -> str:
        # a closed select shows the option alone: it names its policy too
        return f"{obj.policy} {obj}"


class ProjectForm(forms.Form):
    """A unit's reserve project: what it is, what it asks, who follows it up."""

    code = forms.CharField(label=_("Project code"), max_length=40)
    name = forms.CharField(label=_("Project name"), max_length=200)
    plan_year = forms.IntegerField(
        label=_("Plan year"), min_value=2000, max_value=2100, required=False
    )
    total_investment = AmountWanField(
        label=_("Total investment (万元)"), required=False, help_text=_("e.g. 12000 or 1.2亿")
    )
    requested = AmountWanField(label=pgettext_lazy("project", "Requested (万元)"), required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is built, where, for whom: the matching of guides reads it."),
    )
    channel = BoundedModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.order_by("code"), required=False
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("Same as the channel")), *Level.choices], required=False
    )
    measure = MeasureChoiceField(
        label=_("Policy measure it answers"),
        queryset=Measure.objects.select_related("policy").order_by("policy_id", "pk"),
        required=False,
    )
    section = ScopedModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), required=False
    )
    follow_up = PersonChoiceField(
        label=_("Follow-up person (对上衔接)"),
        queryset=Section.objects.none(),
        required=False,
        help_text=_("A member of the unit, who follows the project up until it passes review."),
    )
    owner = forms.CharField(label=_("Person responsible"), max_length=50, required=False)
    next_follow_up_on = forms.DateField(
        label=_("Next follow-up"), required=False, widget=ISO_DATE_INPUT
    )
    version = VersionField(required=False)

    def __init__(self, *args, unit, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["section"].queryset = Section.objects.filter(unit=unit).order_by("name")
        self.fields["follow_up"].queryset = _people_of(unit).select_related("membership__section")
        if editing:
            self.fields["code"].disabled = True

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code:
            raise forms.ValidationError(_("Give the project a code."))
        return code

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean(self):
        data = super().clean()
        if not data.get("level") and data.get("channel"):
            data["level"] = data["channel"].level
        return data

    def values(self) -> dict:
        """The fields as `create_project`/`update_project` take them."""
        data = self.cleaned_data
        return {
            key: data.get(key)
            if key not in ("description", "owner", "level")
            else data.get(key) or ""
            for key in (
                "name",
                "plan_year",
                "total_investment",
                "requested",
                "description",
                "channel",
                "level",
                "measure",
                "section",
                "follow_up",
                "owner",
                "next_follow_up_on",
            )
        }


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("File"))
    requirement = BoundedModelChoiceField(
        label=_("Checklist item"), queryset=MaterialRequirement.objects.none(), required=False
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        condition = Q(channel__isnull=True)
        if project.channel_id:
            condition |= Q(channel_id=project.channel_id)
        self.fields["requirement"].queryset = MaterialRequirement.objects.filter(
            condition
        ).order_by("sort_order", "name")


class RequirementForm(forms.Form):
    channel = BoundedModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.order_by("code"),
        required=False,
        empty_label=_("Every channel"),
    )
    name = forms.CharField(label=_("Material"), max_length=100)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=10)


class LeadConvertForm(forms.Form):
    code = forms.CharField(label=_("Project code"), max_length=40)
    name = forms.CharField(label=_("Project name"), max_length=200)
    plan_year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)


class ContactLinkForm(forms.Form):
    project = ScopedModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("", _("No result yet")), *ContactResult.choices],
        required=False,
    )
    result_receipt = ScopedModelChoiceField(
        label=_("Receipt it led to"), queryset=Receipt.objects.none(), required=False
    )
    version = VersionField()

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(unit=unit).order_by("code")
        self.fields["result_receipt"].queryset = Receipt.objects.filter(unit=unit).order_by(
            "-received_on"
        )


class LeadForm(forms.Form):
    """A lead (争取线索) a unit heard of; the office names the unit, a unit notes its own."""

    unit = BoundedModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.CharField(
        label=pgettext_lazy("lead", "Source"),
        max_length=200,
        required=False,
        help_text=_("Where it was heard: a meeting, a ministry's notice, a visit."),
    )
    aspect = BoundedModelChoiceField(
        label=_("Aspect"), queryset=Aspect.objects.order_by("sort_order", "code"), required=False
    )
    estimated = AmountWanField(label=_("Estimated amount (万元)"), required=False)
    noted_on = forms.DateField(label=_("Noted on"), widget=ISO_DATE_INPUT)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is None:  # the office: any unit
            self.fields["unit"].queryset = Unit.objects.order_by("sort_order", "code")
        else:
            del self.fields["unit"]
        harden_form(self)

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Say what the lead is."))
        return title

    def clean_source(self) -> str:
        return self.cleaned_data["source"].strip()

    def clean_noted_on(self) -> dt.date:
        try:
            return check_event_date(self.cleaned_data["noted_on"])
        except InputError as exc:
            raise forms.ValidationError(str(exc)) from None


class NewTargetForm(forms.Form):
    """The office sets a unit's target for a year that has none yet (a new year's targets);
    a target that exists is changed on its own page, against its version."""

    unit = BoundedModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = forms.CharField(
        label=_("Annual target (万元)"), help_text=_("e.g. 36000, 3.6亿 or 36,000万")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("sort_order", "code")

    def clean_amount(self) -> int:
        try:
            amount = parse_amount(self.cleaned_data["amount"])
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount < 0:
            raise forms.ValidationError(_("A target must not be negative."))
        return amount
