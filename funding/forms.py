from django import forms
from django.utils.translation import gettext_lazy as _

from common.money import AmountError, parse_amount
from common.validation import (
    BoundedModelMultipleChoiceField,
    VersionedFormMixin,
    VersionField,
    harden_form,
)
from org.models import Unit
from policy.models import Aspect

from .choices import Level

# A browser's date picker reads and writes ISO dates, whatever the page's language.
ISO_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TargetForm(VersionedFormMixin, forms.Form):
    """The office changes a target of `year` from an effective date on, saying why."""

    amount = forms.CharField(
        label=_("Annual target (万元)"), help_text=_("e.g. 36000, 3.6亿 or 36,000万")
    )
    effective_on = forms.DateField(label=_("Effective from"), widget=ISO_DATE_INPUT)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)
    version = VersionField()

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        field = self.fields["effective_on"]
        field.help_text = _(
            "Figures as of this day and later use the new amount; earlier ones keep the old. "
            "A day in %(year)s."
        ) % {"year": year}
        field.widget.attrs.update({"min": f"{year}-01-01", "max": f"{year}-12-31"})

    def clean_amount(self) -> int:
        try:
            return parse_amount(self.cleaned_data["amount"])
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_effective_on(self):
        day = self.cleaned_data["effective_on"]
        if day.year != self.year:
            raise forms.ValidationError(
                _("The effective date must be within %(year)s, the year of the target.")
                % {"year": self.year}
            )
        return day


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
    units = BoundedModelMultipleChoiceField(
        label=_("Units concerned"),
        queryset=Unit.objects.order_by("sort_order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        harden_form(self)  # the dates inside 2000–2100

    def clean(self):
        data = super().clean()
        published, deadline = data.get("published_on"), data.get("deadline")
        if published and deadline and deadline < published:
            self.add_error("deadline", _("The deadline cannot be before the publication date."))
        return data
