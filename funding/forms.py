from django import forms
from django.utils.translation import gettext_lazy as _

from common.money import AmountError, parse_amount
from org.models import Unit
from policy.models import Aspect

from .choices import Level


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


class GuideForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    issuer = forms.CharField(label=_("Issuer"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    aspect = forms.ModelChoiceField(
        label=_("Aspect"), queryset=Aspect.objects.order_by("sort_order"), required=False
    )
    published_on = forms.DateField(
        label=_("Published on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scope = forms.CharField(
        label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units concerned"),
        queryset=Unit.objects.order_by("sort_order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        published, deadline = data.get("published_on"), data.get("deadline")
        if published and deadline and deadline < published:
            self.add_error("deadline", _("The deadline cannot be before the publication date."))
        return data
