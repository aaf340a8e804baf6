"""Counterpart directory pages: every business role reads it; the office keeps it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.permissions import BUSINESS_ROLES, Role, role_of

from ..models import Counterpart, CounterpartPerson
from . import services
from .forms import CounterpartForm, PersonForm
from .queries import directory_for


def _business(request) -> None:
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied


def _office(request) -> bool:
    return role_of(request.user) == Role.OFFICE


@login_required
def counterpart_directory(request):
    _business(request)
    search = (request.GET.get("q") or "").strip()[:50]
    form = None
    if _office(request):
        form = CounterpartForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                counterpart = services.save_counterpart(
                    user=request.user,
                    counterpart=None,
                    name=data["name"],
                    level=data["level"],
                    units=list(data["units"]),
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_error("name", error)
            else:
                messages.success(request, _("%(name)s added.") % {"name": counterpart.name})
                return redirect("funding:counterpart_detail", pk=counterpart.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "funding/directory/list.html",
        {"rows": directory_for(request.user, search=search), "form": form, "q": search},
        status=400 if form is not None and form.errors else 200,
    )


def _detail(request, counterpart, *, edit_form=None, person_form=None, status=200):
    if _office(request):
        edit_form = (
            edit_form
            if edit_form is not None
            else CounterpartForm(
                initial={
                    "name": counterpart.name,
                    "level": counterpart.level,
                    "units": [u.pk for u in counterpart.units.all()],
                    "note": counterpart.note,
                    "version": counterpart.version,
                }
            )
        )
        person_form = person_form if person_form is not None else PersonForm()
    return render(
        request,
        "funding/directory/detail.html",
        {"c": counterpart, "edit_form": edit_form, "person_form": person_form},
        status=status,
    )


@login_required
def counterpart_detail(request, pk: int):
    """The department's page; the office edits it here (from the version it read)."""
    _business(request)
    counterpart = get_object_or_404(directory_for(request.user), pk=pk)
    if request.method != "POST":
        return _detail(request, counterpart)
    if not _office(request):
        raise PermissionDenied
    form = CounterpartForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_counterpart(
                user=request.user,
                counterpart=counterpart,
                name=data["name"],
                level=data["level"],
                units=list(data["units"]),
                note=data["note"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Counterpart directory saved."))
            return redirect("funding:counterpart_detail", pk=counterpart.pk)
    return _detail(request, counterpart, edit_form=form, status=400)


@login_required
def counterpart_person_add(request, pk: int):
    """The office adds a contact person to the department (or, by the name typed, gives the
    one of that name a new post and phone): the form shows nothing of a person to save over."""
    _business(request)
    counterpart = get_object_or_404(directory_for(request.user), pk=pk)
    if not _office(request):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("funding:counterpart_detail", pk=counterpart.pk)
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            services.save_counterpart_person(
                user=request.user, counterpart=counterpart, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Counterpart directory saved."))
            return redirect("funding:counterpart_detail", pk=counterpart.pk)
    return _detail(request, counterpart, person_form=form, status=400)


@login_required
def counterpart_person_remove(request, pk: int):
    _business(request)
    person = get_object_or_404(CounterpartPerson.objects.select_related("counterpart"), pk=pk)
    if not _office(request):
        raise PermissionDenied
    if request.method == "POST":
        services.remove_counterpart_person(user=request.user, person=person)
        messages.success(request, _("%(name)s removed.") % {"name": person.name})
    return redirect("funding:counterpart_detail", pk=person.counterpart_id)


def counterpart_choices():
    return Counterpart.objects.order_by("name")
