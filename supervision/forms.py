from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.dates import DateError, parse_date
from common.validation import VersionedFormMixin, VersionField
from org.models import Leader, Unit

from .models import AssessmentRules


class DateField(forms.CharField):
    """A date typed as people write it (2024-06-30, 2024/6/30, 2024年6月30日)."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_date(value[:40])
        except DateError as exc:
            raise forms.ValidationError(str(exc)) from None


def sane_pk(value) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 18


class ChoiceOfRecord(forms.ModelChoiceField):
    """A record chosen by id; an id no database could hold is an invalid choice, not a 500."""

    def to_python(self, value):
        if value not in self.empty_values and not sane_pk(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ChoicesOfRecords(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not sane_pk(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super()._check_values(value)


class DispatchForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    meeting_on = DateField(label=_("Meeting on"))
    due_on = DateField(label=_("Reports due on"))
    as_of = DateField(
        label=_("Figures as of"),
        required=False,
        help_text=_("The figures filled in for each unit; blank: the office's date."),
    )
    leader = ChoiceOfRecord(
        label=_("Presiding leader"), queryset=Leader.objects.all(), required=False
    )
    units = ChoicesOfRecords(
        label=_("Units that report"),
        queryset=Unit.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    questions = forms.CharField(
        label=_("Questions (one per line)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=6000,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        for name in ("meeting_on", "due_on", "as_of"):
            value = data.get(name)
            if value is not None and not 2000 <= value.year <= 2100:
                self.add_error(name, _("The year must be between 2000 and 2100."))
                data[name] = None
        meeting, due = data.get("meeting_on"), data.get("due_on")
        if meeting and due and due > meeting:
            self.add_error("due_on", _("Reports must be due on or before the meeting."))
        return data

    def question_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["questions"].splitlines()]


class AnswerForm(VersionedFormMixin, forms.Form):
    """One text box per question of the round, plus anything else to report."""

    report = forms.CharField(
        label=_("Anything else to report"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()

    def __init__(self, *args, questions: list[str], initial_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_answers = initial_answers or []
        for index, question in enumerate(questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=initial_answers[index] if index < len(initial_answers) else "",
            )
        self.order_fields([f"answer_{i}" for i in range(len(questions))] + ["report", "version"])
        self.count = len(questions)

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"answer_{i}"] for i in range(self.count)]


class CopyRulesForm(forms.Form):
    code = forms.CharField(label=_("New version code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    year = forms.IntegerField(label=_("For year"), min_value=2000, max_value=2100, required=False)


class RulesForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = AssessmentRules
        fields = [
            "name",
            "year",
            "funding_weight",
            "items_weight",
            "bonus_step_percent",
            "bonus_per_step",
            "bonus_cap",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        for name in ("funding_weight", "items_weight", "bonus_per_step", "bonus_cap"):
            value = data.get(name)
            if value is not None and not Decimal(0) <= value <= Decimal(1000):
                self.add_error(name, _("Points must be between 0 and 1000."))
        step = data.get("bonus_step_percent")
        if step is not None and not 1 <= step <= 100:
            self.add_error(
                "bonus_step_percent",
                _("The bonus step must be between 1 and 100 percentage points."),
            )
        year = data.get("year")
        if year is not None and not 2000 <= year <= 2100:
            self.add_error("year", _("The year must be between 2000 and 2100."))
        return data
