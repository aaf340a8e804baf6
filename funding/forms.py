from django import forms
from django.utils.translation import gettext_lazy as _

from common.money import AmountError, parse_amount


class TargetForm(forms.Form):
    amount = forms.CharField(
        label=_("Annual target (万元)"), help_text=_("e.g. 36000, 3.6亿 or 36,000万")
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_amount(self) -> int:
        try:
            return parse_amount(self.cleaned_data["amount"])
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from None
