from django import forms
from django.utils.translation import gettext_lazy as _

from common.validation import INT_MAX, BoundedModelChoiceField, VersionField
from org.models import Leader, Unit

from .models import RobotKind


class RobotForm(forms.Form):
    """A unit's robot. The secret is never shown back: left empty, the stored one is kept."""

    unit = BoundedModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.order_by("sort_order", "code"), required=False
    )
    leader = BoundedModelChoiceField(
        label=_("or a leader"),
        queryset=Leader.objects.order_by("sort_order", "name"),
        required=False,
        help_text=_("A leader's own robot receives their weekly digest and escalations."),
    )
    kind = forms.ChoiceField(label=_("Robot"), choices=RobotKind.choices)
    webhook = forms.URLField(
        label=_("Webhook URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "As the group robot's settings show it, e.g. https://qyapi.weixin.qq.com/cgi-bin/"
            "webhook/send?key=… or https://oapi.dingtalk.com/robot/send?access_token=…"
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk 加签)"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Starts with SEC. Leave empty to keep the secret already stored."),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    version = VersionField(required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["unit"].disabled = True
            self.fields["leader"].disabled = True
            self.fields["kind"].disabled = True
            # the webhook carries the robot's token: never shown back either
            self.fields["webhook"].required = False
            self.fields["webhook"].help_text = _(
                "Leave empty to keep the webhook already stored (shown masked above)."
            )

    def clean(self):
        data = super().clean()
        if not self.fields["unit"].disabled and bool(data.get("unit")) == bool(data.get("leader")):
            raise forms.ValidationError(_("Choose a unit or a leader (one of them)."))
        return data


class MarkReadForm(forms.Form):
    delivery = forms.IntegerField(required=False, min_value=1, max_value=INT_MAX)
