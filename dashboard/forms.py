import datetime as dt

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.dates import DateError, parse_date
from common.money import AmountError, parse_amount
from common.validation import (
    BoundedModelChoiceField,
    InputError,
    ScopedModelChoiceField,
    VersionedFormMixin,
    VersionField,
    check_event_date,
)
from funding.choices import STAGE_FLOW, ContactDirection, ContactResult, Stage
from funding.models import Channel, Counterpart, CounterpartPerson, Project, Receipt
from org.models import Leader
from policy.models import WorkItem


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if isinstance(value, dt.date) else value


class LenientDateField(forms.CharField):
    """A date typed as people write it (2024-06-30, 2024/6/30, 2024年6月30日), of something
    that happened: not after the end of next year (`common.validation.check_event_date`)."""

    widget = DateInput

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return check_event_date(parse_date(value))
        except (DateError, InputError) as exc:
            raise forms.ValidationError(str(exc)) from None


class AmountField(forms.CharField):
    """An amount in 万元 by default; understands 亿/万/元, separators, full-width digits."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from None


class ReceiptForm(forms.Form):
    amount = AmountField(label=_("Amount (万元)"), help_text=_("e.g. 3500, 1.2亿 or 800万"))
    received_on = LenientDateField(label=_("Date received"))
    doc_no = forms.CharField(label=_("Document number"), max_length=100, required=False)
    channel = BoundedModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.all(), required=False
    )
    project = ScopedModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(unit=unit).order_by("code")

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return amount


class AdvanceProjectForm(VersionedFormMixin, forms.Form):
    to_stage = forms.ChoiceField(label=_("Next stage"), choices=Stage.choices)
    on = LenientDateField(label=_("Date"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = VersionField()

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        # 纳入计划 needs its plan, batch and amount: recorded on the project's page
        allowed = STAGE_FLOW.get(project.stage, set()) - {Stage.INCLUDED}
        self.fields["to_stage"].choices = [(v, label) for v, label in Stage.choices if v in allowed]


def _clean_contact_directory(form: "ContactForm", data: dict) -> dict:
    """A department picked from the directory names the contact; its person the people."""
    directory, person = data.get("directory"), data.pop("person", None)
    if person is not None:
        if directory is None:
            data["directory"] = directory = person.counterpart
        elif person.counterpart_id != directory.pk:
            form.add_error("person", _("This person works at another department."))
        if not data.get("people"):
            data["people"] = str(person)[:200]
    if not data.get("counterpart"):
        if directory is None:
            form.add_error(
                "counterpart", _("Pick the department from the directory, or write its name.")
            )
        else:
            data["counterpart"] = directory.name
    return data


class ProgressReportForm(forms.Form):
    work_item = ScopedModelChoiceField(label=_("Work item"), queryset=WorkItem.objects.none())
    reported_on = LenientDateField(label=_("Date"))
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    text = forms.CharField(
        label=pgettext_lazy("progress report", "Progress"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    problems = forms.CharField(
        label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_item"].queryset = WorkItem.objects.filter(
            assignments__unit=unit
        ).order_by("code")


class ReportDecisionForm(VersionedFormMixin, forms.Form):
    """The unit head's answer to a submitted report: the report's version, and (sending it
    back) the comment the officer reads."""

    comment = forms.CharField(
        label=_("Why it goes back"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    version = VersionField()


class ContactForm(forms.Form):
    direction = forms.ChoiceField(label=_("Kind"), choices=ContactDirection.choices)
    occurred_on = LenientDateField(label=_("Date"))
    # picked from the counterpart directory (对口联系); the text fields for anyone not in it
    directory = BoundedModelChoiceField(
        label=_("Counterpart department"),
        queryset=Counterpart.objects.none(),
        required=False,
        empty_label=_("— not in the directory —"),
    )
    person = BoundedModelChoiceField(
        label=_("Contact person"), queryset=CounterpartPerson.objects.none(), required=False
    )
    counterpart = forms.CharField(
        label=_("Counterpart"),
        max_length=200,
        required=False,
        help_text=_("Only when the department is not in the directory."),
    )
    people = forms.CharField(label=_("People"), max_length=200, required=False)
    leader = BoundedModelChoiceField(
        label=_("Leader taking part"),
        queryset=Leader.objects.order_by("sort_order"),
        required=False,
    )
    project = ScopedModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=[("", "—"), *ContactResult.choices], required=False
    )
    result_receipt = ScopedModelChoiceField(
        label=_("Receipt it led to"), queryset=Receipt.objects.none(), required=False
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the unit's own counterparts first, then the rest of the directory
        counterparts = Counterpart.objects.all()
        people = CounterpartPerson.objects.select_related("counterpart")
        if unit is not None:
            mine = Q(units=unit)
            counterparts = counterparts.annotate(mine=Count("units", filter=mine)).order_by(
                "-mine", "name"
            )
            people = people.order_by("counterpart__name", "name")
        self.fields["directory"].queryset = counterparts
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: f"{p.counterpart.name} {p}"
        if unit is not None:
            self.fields["project"].queryset = Project.objects.filter(unit=unit).order_by("code")
            self.fields["result_receipt"].queryset = (
                Receipt.objects.filter(unit=unit).select_related("unit").order_by("-received_on")
            )

    def clean(self):
        return _clean_contact_directory(self, super().clean())
