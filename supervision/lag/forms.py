from django import forms
from django.utils.translation import gettext_lazy as _

from policy.forms import BoundedDateField


class LagFileForm(forms.Form):
    causes = forms.CharField(
        label=_("Causes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe the causes.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LagMeasureForm(forms.Form):
    text = forms.CharField(label=_("Corrective measure"), max_length=200, required=False)
    due_on = BoundedDateField(label=_("Done by"), required=False)

    def clean(self):
        data = super().clean()
        if (data.get("text") or "").strip() and not data.get("due_on"):
            self.add_error("due_on", _("Give the date this measure is done by."))
        if data.get("due_on") and not (data.get("text") or "").strip():
            self.add_error("text", _("Say what is done by this date."))
        return data


LagMeasureFormSet = forms.formset_factory(LagMeasureForm, extra=3, max_num=10, absolute_max=10)


class LagDecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when sending back: say what is missing."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LagRequestForm(forms.Form):
    as_of = BoundedDateField(label=_("As of"))
