"""User management for the system administrator (三员分立: people and roles, no data)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.permissions import UNIT_ROLES, Role, role_of
from org.models import Leader, Unit
from org.services import create_person

from . import services


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
    return render(request, "accounts/user_list.html", {"page": page})


@login_required
def user_create(request):
    _system_admin(request)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = services.temporary_password()
        with transaction.atomic():
            person = create_person(
                user=request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                password=password,
                unit=data["unit"] if data["role"] in UNIT_ROLES else None,
                leader=data["leader"] if data["role"] == Role.LEADER else None,
            )
            services.state_for(person)  # must change the password at first login
        messages.success(
            request,
            _("%(user)s created. Temporary password (shown once): %(password)s")
            % {"user": person.username, "password": password},
        )
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_POST
def user_set_active(request, pk: int):
    _system_admin(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    try:
        services.set_active(
            user=request.user, person=person, active=request.POST.get("active") == "1"
        )
    except PermissionDenied:
        messages.error(request, _("You cannot deactivate your own login."))
    return redirect("accounts:user_list")


@login_required
@require_POST
def user_reset_password(request, pk: int):
    _system_admin(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    try:
        password = services.reset_password(user=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("New temporary password for %(user)s (shown once): %(password)s")
            % {"user": person.username, "password": password},
        )
    return redirect("accounts:user_list")
