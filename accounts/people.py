"""Accounts for the system administrator (三员分立): create (inactive, no role, no password
until the security administrator grants and activates), deactivate, ask for a password reset.
The system administrator never sees a password and never administers their own account."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.permissions import UNIT_ROLES, Role, role_of
from org.models import Leader, Unit

from . import services
from .models import AccountRequest


class PersonForm(forms.Form):
    username = forms.RegexField(label=gettext_lazy("Username"), regex=r"^[\w.@+-]{2,150}$")
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.all(), required=False
    )
    leader = forms.ModelChoiceField(
        label=gettext_lazy("Leader"),
        queryset=Leader.objects.filter(user__isnull=True),
        required=False,
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in UNIT_ROLES and not data.get("unit"):
            self.add_error("unit", _("A unit role needs a unit."))
        if role == Role.LEADER and not data.get("leader"):
            self.add_error("leader", _("Choose which leader this login belongs to."))
        return data


def _system_admin(request) -> None:
    if role_of(request.user) != Role.SYSTEM_ADMIN:
        raise PermissionDenied


@login_required
def user_list(request):
    _system_admin(request)
    people = (
        get_user_model()
        .objects.select_related("membership", "membership__unit", "login_state")
        .order_by("username")
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    pending = {
        request.person_id: request
        for request in AccountRequest.objects.filter(
            state=AccountRequest.State.PENDING, person__in=[p.pk for p in page]
        ).select_related("unit", "leader")
    }
    for person in page:
        person.request = pending.get(person.pk)
        person.pending = person.request.kind if person.request else None
    return render(request, "accounts/user_list.html", {"page": page, "Kind": AccountRequest.Kind})


@login_required
def user_create(request):
    _system_admin(request)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person_request = services.request_person(
            user=request.user,
            username=data["username"],
            full_name=data["full_name"],
            role=data["role"],
            unit=data["unit"] if data["role"] in UNIT_ROLES else None,
            leader=data["leader"] if data["role"] == Role.LEADER else None,
        )
        messages.success(
            request,
            _(
                "Account %(user)s created, inactive. The security administrator grants the role "
                "%(role)s, activates it and hands the one-time password to its owner."
            )
            % {
                "user": person_request.person.username,
                "role": person_request.get_role_display(),
            },
        )
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_POST
def user_set_active(request, pk: int):
    """The system administrator deactivates; activating is the security administrator's."""
    _system_admin(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    try:
        services.set_active(user=request.user, person=person, active=False)
    except PermissionDenied:
        messages.error(request, _("Nobody administers their own account."))
    else:
        messages.success(request, _("%(user)s is deactivated.") % {"user": person.username})
    return redirect("accounts:user_list")


@login_required
@require_POST
def user_reset_password(request, pk: int):
    """Ask the security administrator for a new password for someone (never one's own)."""
    _system_admin(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    try:
        services.request_password_reset(user=request.user, person=person)
    except PermissionDenied:
        messages.error(request, _("Nobody administers their own account."))
    else:
        messages.success(
            request,
            _(
                "Password reset for %(user)s requested. The security administrator issues the "
                "new password and hands it to its owner."
            )
            % {"user": person.username},
        )
    return redirect("accounts:user_list")
