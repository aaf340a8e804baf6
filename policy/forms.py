"""Forms of the policy pages: the decomposition, work plans, done and rescheduled."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from common.files import allowed_suffixes, max_upload_bytes
from common.validation import (
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    VersionedFormMixin,
    VersionField,
)
from org.models import Leader, Section, Unit
from org.people import person_label

from .models import Aspect, Measure, Policy

MIN_DATE, MAX_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    """A date between 2000 and 2100 (a typo such as 20244-06-30 is an error, not a 500)."""

    widget = DateInput

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not MIN_DATE <= day <= MAX_DATE:
            raise forms.ValidationError(_("Enter a date between 2000 and 2100."))
        return day


class PolicyForm(VersionedFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=50, required=False)
    issuer = forms.CharField(label=_("Issuer"), max_length=100, required=False)
    doc_no = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issued_on = BoundedDateField(label=_("Date issued"), required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField(required=False)  # required when editing (see __init__)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = editing


class AspectForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=50)
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, max_value=9999, initial=0)


class MeasureForm(VersionedFormMixin, forms.Form):
    aspect = BoundedModelChoiceField(label=_("Aspect"), queryset=Aspect.objects.none())
    code = forms.CharField(label=_("Code"), max_length=20)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField(required=False)  # required when editing (see __init__)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = editing
        self.fields["aspect"].queryset = Aspect.objects.order_by("sort_order", "code")


class WorkItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Work item"), max_length=300)
    measure = BoundedModelChoiceField(
        label=_("Measure"), queryset=Measure.objects.none(), required=False, empty_label="—"
    )
    goal = forms.CharField(
        label=_("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_leader = BoundedModelChoiceField(label=_("Lead leader"), queryset=Leader.objects.none())
    lead_unit = BoundedModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    co_units = BoundedModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    due_on = BoundedDateField(label=_("Due on"))
    milestones = forms.CharField(
        label=_("Time nodes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: date and what is done by then, e.g. 2024-09-30 完成可研批复."),
    )
    version = VersionField(required=False)

    def __init__(self, *args, policy: Policy, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = Measure.objects.filter(policy=policy).order_by("code")
        self.fields["lead_leader"].queryset = Leader.objects.order_by("sort_order", "name")
        units = Unit.objects.order_by("sort_order", "code")
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        if editing:
            self.fields["code"].disabled = True
            # the due date moves only by rescheduling, with a reason; nodes have their own forms
            del self.fields["due_on"]
            del self.fields["milestones"]

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_milestones(self):
        from common.dates import DateError, parse_date

        nodes = []
        for number, line in enumerate(self.cleaned_data.get("milestones", "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            day, _sep, title = line.partition(" ")
            try:
                due_on = parse_date(day)
            except DateError as error:
                raise forms.ValidationError(
                    _("Line %(n)s: %(error)s") % {"n": number, "error": error}
                ) from None
            if not title.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: say what is done by %(day)s.") % {"n": number, "day": day}
                )
            if not MIN_DATE <= due_on <= MAX_DATE:
                raise forms.ValidationError(
                    _("Line %(n)s: enter a date between 2000 and 2100.") % {"n": number}
                )
            nodes.append((due_on, title.strip()[:200]))
        return nodes

    def clean(self):
        data = super().clean()
        lead, co = data.get("lead_unit"), data.get("co_units") or []
        if lead is not None and lead in co:
            self.add_error("co_units", _("The lead unit cannot also be a co-unit."))
        return data


class EvidenceField(forms.FileField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Evidence file"),
            required=False,
            help_text=_("%(types)s, at most %(mb)s MB.")
            % {"types": allowed_suffixes(), "mb": max_upload_bytes() // (1024 * 1024)},
            **kwargs,
        )


class DoneForm(forms.Form):
    done_on = BoundedDateField(label=_("Done on"))
    note = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = EvidenceField()
    version = VersionField(required=False)


class RescheduleForm(forms.Form):
    due_on = BoundedDateField(label=_("New due date"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for the new date.")},
    )
    version = VersionField(required=False)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the new date."))
        return reason


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Time node"), max_length=200)
    due_on = BoundedDateField(label=_("Due on"))


class WorkPlanForm(forms.Form):
    deadline = BoundedDateField(label=_("Deadline"))
    content = forms.CharField(
        label=_("Plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField(required=False)


def plan_choices(unit_id: int) -> dict:
    """The lead unit's sections and people, read once for every row of the plan form."""
    sections = {s.pk: s for s in Section.objects.filter(unit_id=unit_id).order_by("name")}
    people = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(membership__unit_id=unit_id, is_active=True)
        .select_related("membership", "membership__section")
        .order_by("username")
    }
    return {"sections": sections, "people": people}


class PlanStepForm(forms.Form):
    title = forms.CharField(label=_("Step"), max_length=200, required=False)
    workdays = forms.IntegerField(
        label=_("Working days"), min_value=1, max_value=250, required=False
    )
    section = forms.TypedChoiceField(
        label=_("Section"), coerce=int, required=False, empty_value=None
    )
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, sections: dict, people: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections, self.people = sections, people
        self.fields["section"].choices = [("", "—")] + [(k, s.name) for k, s in sections.items()]
        self.fields["person"].choices = [("", "—")] + [
            (k, person_label(u)) for k, u in people.items()
        ]

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("workdays"):
            self.add_error("workdays", _("How many working days does this step take?"))
        if data.get("workdays") and not (data.get("title") or "").strip():
            self.add_error("title", _("Name the step."))
        data["section"] = self.sections.get(data.get("section"))
        data["person"] = self.people.get(data.get("person"))
        return data


PlanStepFormSet = forms.formset_factory(PlanStepForm, extra=2, max_num=30, absolute_max=30)
