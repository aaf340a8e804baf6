"""Forms of corrections: the request (void or amend, reason) and the office's decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.dates import DateError, parse_date
from common.money import format_wan
from common.validation import InputError, VersionedFormMixin, VersionField, check_event_date

from ..choices import CorrectionKind
from ..forms import ISO_DATE_INPUT, AmountWanField
from ..models import Channel, Project, Receipt

REQUESTABLE = [
    (CorrectionKind.VOID, _("Void: this money never arrived")),
    (
        CorrectionKind.AMEND,
        _("Amend: record the corrected values"),
    ),
]


class EventDateField(forms.CharField):
    """A date as people write it, of something that happened."""

    widget = ISO_DATE_INPUT

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return check_event_date(parse_date(value))
        except (DateError, InputError) as exc:
            raise forms.ValidationError(str(exc)) from None


class CorrectionRequestForm(VersionedFormMixin, forms.Form):
    """Void or amend a receipt; an amendment's fields start at the receipt's values, and
    only those changed count."""

    kind = forms.ChoiceField(label=_("Correction"), choices=REQUESTABLE, widget=forms.RadioSelect)
    amount = AmountWanField(
        label=_("Amount (万元)"), required=False, help_text=_("e.g. 3500, 1.2亿 or 800万")
    )
    received_on = EventDateField(label=_("Date received"), required=False)
    doc_no = forms.CharField(label=_("Document number"), max_length=100, required=False)
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.all(), required=False
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The office reads it before deciding; the bulletin quotes it."),
    )
    version = VersionField()

    def __init__(self, *args, receipt: Receipt, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "kind": CorrectionKind.AMEND,
                "amount": format_wan(receipt.amount, 4).replace(",", ""),
                "received_on": receipt.received_on,
                "doc_no": receipt.doc_no,
                "channel": receipt.channel_id,
                "project": receipt.project_id,
                "version": receipt.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(unit=receipt.unit_id).order_by(
            "code"
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == CorrectionKind.AMEND:
            for name in ("amount", "received_on"):
                if name in data and data[name] is None and name not in self.errors:
                    self.add_error(name, self.fields[name].error_messages["required"])
        return data

    def changes(self) -> dict:
        """The amendment as `request_correction` takes it."""
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("amount", "received_on", "doc_no", "channel", "project")
        }


class DecisionForm(VersionedFormMixin, forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)
    version = VersionField()


class ReinstateForm(VersionedFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for reinstating"), max_length=300)
    version = VersionField()
