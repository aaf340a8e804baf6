"""Forms of the counterpart directory."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.validation import BoundedModelMultipleChoiceField, VersionField
from org.models import Unit

from ..choices import Level


class CounterpartForm(forms.Form):
    name = forms.CharField(label=_("Higher-level department"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    units = BoundedModelMultipleChoiceField(
        label=_("Units dealing with it"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.order_by("sort_order", "code")


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    post = forms.CharField(label=_("Post"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
