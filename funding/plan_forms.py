"""Forms of a project's inclusion in a higher-level plan (纳入计划) and of the counterpart
directory (对口联系)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.validation import VersionedFormMixin, VersionField
from policy.forms import BoundedDateField

from .forms import AmountWanField


class IncludeInPlanForm(VersionedFormMixin, forms.Form):
    plan = forms.CharField(
        label=_("Plan or project library"),
        max_length=200,
        help_text=_("e.g. 2025年中央预算内投资计划, 省级重大项目库"),
    )
    batch = forms.CharField(label=_("Batch"), max_length=100, required=False)
    on = BoundedDateField(label=_("Date included"))
    amount = AmountWanField(label=_("Amount in the plan (万元)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = VersionField()
