"""Forms of the drafting pages: the text or file to read, and the editable preview rows."""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from common.validation import YearField
from org.models import Leader, Unit

from ..forms import BoundedDateField
from ..models import Aspect, Policy
from .names import normalise

MAX_TEXT = 200_000  # characters: a long 实施意见 is 20,000
MAX_FILE = 10 * 1024 * 1024


class DraftSourceForm(forms.Form):
    policy = forms.ModelChoiceField(label=_("Policy"), queryset=Policy.objects.none())
    year = YearField(label=_("Year of undated deadlines"))
    text = forms.CharField(
        label=_("Policy text"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Paste the text, or upload the file below."),
    )
    upload = forms.FileField(label=_("Or a file (.docx, .txt)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = Policy.objects.order_by("-issued_on", "title")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if not upload.name.lower().endswith((".docx", ".txt")):
            raise forms.ValidationError(_("Upload a .docx or a .txt file."))
        if upload.size > MAX_FILE:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("upload"):
            raise forms.ValidationError(_("Paste the policy text or upload a file."))
        return data


class ConfirmForm(forms.Form):
    policy = forms.ModelChoiceField(queryset=Policy.objects.none(), widget=forms.HiddenInput)
    code_prefix = forms.RegexField(
        label=_("Code prefix of the new items"),
        regex=r"^[A-Za-z0-9_]{1,12}$",
        max_length=12,
        error_messages={"invalid": _("The code prefix has 1 to 12 letters, digits or _.")},
    )
    default_aspect = forms.ModelChoiceField(
        label=_("Aspect of new measures (when the heading names none)"),
        queryset=Aspect.objects.none(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = Policy.objects.all()
        self.fields["default_aspect"].queryset = Aspect.objects.order_by("sort_order", "code")
        if not self.fields["default_aspect"].queryset.exists():
            self.fields["default_aspect"].error_messages["required"] = _(
                "No aspect is entered yet: add the aspects (方面) of the policy areas first, "
                "then confirm the items."
            )


def parse_milestones(text: str) -> list[tuple[dt.date, str]]:
    """Lines "2025-06-30 完成申报" → [(date, title)]; a malformed line is an error."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s+(.{1,200})", line)
        if not match:
            raise forms.ValidationError(
                _("Write each time node as a date and a title: 2025-06-30 完成申报.")
            )
        try:
            day = dt.date.fromisoformat(match.group(1))
        except ValueError:
            raise forms.ValidationError(
                _("%(value)s is not a date.") % {"value": match.group(1)}
            ) from None
        if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise forms.ValidationError(_("Enter a date between 2000 and 2100."))
        out.append((day, match.group(2).strip()))
    return out


class DraftRowForm(forms.Form):
    """One draft in the preview table; the office corrects it before confirming."""

    include = forms.BooleanField(label=_("Create"), required=False, initial=True)
    title = forms.CharField(label=_("Work item"), max_length=300)
    goal = forms.CharField(required=False, max_length=5000, widget=forms.HiddenInput)
    measure = forms.CharField(label=_("Measure"), max_length=2000, required=False)
    aspect = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    co_units = forms.CharField(
        label=_("Co-units"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Unit names or codes, separated by 、"),
    )
    lead_leader = forms.ModelChoiceField(
        label=_("Lead leader"), queryset=Leader.objects.none(), required=False, empty_label="—"
    )
    due_on = BoundedDateField(label=_("Due on"), required=False)
    milestones = forms.CharField(
        label=_("Time nodes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    unresolved = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    flags = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, units=None, leaders=None, directory=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units
        self.fields["lead_leader"].queryset = leaders
        self.directory = directory

    def clean_co_units(self):
        names = [n for n in re.split(r"[、，,；;\s]+", self.cleaned_data["co_units"]) if n]
        codes, unknown = [], []
        for name in names:
            found = self.directory.resolve(name) if self.directory else []
            if not found and Unit.objects.filter(code=normalise(name)).exists():
                found = [normalise(name)]
            if found:
                codes.extend(found)
            else:
                unknown.append(name)
        if unknown:
            raise forms.ValidationError(
                _("Unknown units: %(names)s. Use a unit's name, alias or code.")
                % {"names": "、".join(unknown)}
            )
        return list(Unit.objects.filter(code__in=codes).order_by("sort_order", "code"))

    def clean_milestones(self):
        return parse_milestones(self.cleaned_data["milestones"])

    def clean(self):
        data = super().clean()
        if not data.get("include"):
            return data
        missing = []
        if not data.get("lead_unit"):
            missing.append(str(_("lead unit")))
        if not data.get("lead_leader"):
            missing.append(str(_("lead leader")))
        if not data.get("due_on"):
            missing.append(str(_("due date")))
        if missing:
            raise forms.ValidationError(
                _("To create this item, give its %(fields)s (or untick it).")
                % {"fields": "、".join(missing)}
            )
        return data


class BaseDraftFormSet(forms.BaseFormSet):
    def __init__(self, *args, units=None, leaders=None, directory=None, **kwargs):
        self.units, self.leaders, self.directory = units, leaders, directory
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"units": self.units, "leaders": self.leaders, "directory": self.directory}


DraftFormSet = forms.formset_factory(
    DraftRowForm, formset=BaseDraftFormSet, extra=0, max_num=500, validate_max=True
)


class AliasForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    alias = forms.CharField(label=_("Alias"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("sort_order", "code")
