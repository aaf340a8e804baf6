"""Forms of a unit's requests and the office's decisions; each carries the version it read."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.validation import VersionedFormMixin, VersionField

from ..forms import BoundedDateField, EvidenceField

APPROVE, REFUSE = "approve", "refuse"


class ExtensionRequestForm(VersionedFormMixin, forms.Form):
    """延期申请: the date asked for, why, and a file if the unit has one (the version is the
    item's or the time node's)."""

    due_on = BoundedDateField(label=_("New due date asked for"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for the new date.")},
    )
    evidence = EvidenceField()
    version = VersionField()

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the new date."))
        return reason


class CloseRequestForm(VersionedFormMixin, forms.Form):
    """The unit's "done" (办结申请): when, what was done, evidence (the item's version)."""

    done_on = BoundedDateField(label=_("Done on"))
    note = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = EvidenceField()
    version = VersionField()


class DecisionForm(VersionedFormMixin, forms.Form):
    """The office's answer: approve (or confirm), or refuse (or return) with a comment for
    the unit (the version is the request's)."""

    decision = forms.ChoiceField(choices=[(APPROVE, APPROVE), (REFUSE, REFUSE)])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()

    def clean(self):
        data = super().clean()
        data["comment"] = (data.get("comment") or "").strip()
        if data.get("decision") == REFUSE and not data["comment"]:
            self.add_error("comment", _("Say why, for the unit to read."))
        return data
