"""The form of one unit's part of an item's team."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.validation import VersionField

from . import members_of


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class TeamForm(forms.Form):
    responsible = PersonField(
        label=_("Person responsible"), queryset=None, required=False, empty_label="—"
    )
    contact = PersonField(label=_("Liaison"), queryset=None, required=False, empty_label="—")
    version = VersionField(required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = members_of(unit)
        self.fields["contact"].queryset = members_of(unit)
