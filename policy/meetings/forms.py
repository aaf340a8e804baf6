"""Forms of meetings and their decisions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.validation import BoundedModelMultipleChoiceField, VersionField
from org.models import Leader, Unit

from ..forms import BoundedDateField
from ..models import MeetingKind


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    held_on = BoundedDateField(label=_("Held on"))
    chair = forms.ModelChoiceField(
        label=_("Chair"), queryset=Leader.objects.none(), required=False, empty_label="—"
    )
    attendees = forms.CharField(
        label=_("Attendees"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = Leader.objects.order_by("sort_order")


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Decision"), max_length=300)
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    co_units = BoundedModelMultipleChoiceField(
        label=_("Co-units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    lead_leader = forms.ModelChoiceField(
        label=_("Lead leader"),
        queryset=Leader.objects.none(),
        required=False,
        empty_label=_("— the chair —"),
    )
    due_on = BoundedDateField(label=_("Due on"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.order_by("sort_order", "code")
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.fields["lead_leader"].queryset = Leader.objects.order_by("sort_order")
