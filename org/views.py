"""Pages of the organisation: units, and the office's back office (units, sections, leaders,
the holiday calendar, the settings)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.history import history_for
from common.lists import render_list
from common.permissions import Role, role_of
from common.validation import InputError, parse_date_param, parse_year, query_value
from org.models import CalendarDay, CalendarYear, Leader, Unit
from org.period import office_period

from . import services
from .filters import suggest_units
from .forms import (
    CalendarDayForm,
    CalendarYearForm,
    ContactForm,
    LeaderForm,
    SectionForm,
    SiteConfigForm,
    UnitForm,
)
from .lists import UNITS

# Who may open the unit list; the other administrators never see business data.
UNIT_LIST_ROLES = {Role.OFFICE, Role.LEADER, Role.UNIT_HEAD, Role.UNIT_OFFICER, Role.SYSTEM_ADMIN}
ORG_ADMIN_ROLES = {Role.OFFICE, Role.SYSTEM_ADMIN}


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in UNIT_LIST_ROLES:
        raise PermissionDenied
    actions = []
    if role_of(request.user) in ORG_ADMIN_ROLES:
        actions.append((_("New unit"), reverse("org:unit_create")))
    units = Unit.objects.visible_to(request.user)
    return render_list(request, UNITS, units, {"actions": actions})


@login_required
def unit_suggest(request: HttpRequest) -> HttpResponse:
    """htmx: the units matching what was typed in a list's unit filter (code or name), as
    the options of its <datalist>; at most `filters.SUGGESTIONS`, in scope only."""
    if role_of(request.user) not in UNIT_LIST_ROLES:
        raise PermissionDenied
    term = next((v for k, v in request.GET.items() if k != "field" and v.strip()), "")
    return render(
        request,
        "org/_unit_options.html",
        {"units": suggest_units(Unit.objects.visible_to(request.user), term)},
    )


@login_required
def person_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's mobile and e-mail: the office for anyone, a unit head for their unit."""
    if role_of(request.user) not in (Role.OFFICE, Role.UNIT_HEAD):
        raise PermissionDenied
    User = get_user_model()
    person = get_object_or_404(User.objects.select_related("membership", "membership__unit"), pk=pk)
    if not services.may_edit_contact(request.user, person):
        raise Http404
    membership = person.membership
    form = ContactForm(
        request.POST or None,
        initial={"mobile": membership.phone, "email": person.email, "version": membership.version},
    )
    back = (
        reverse("org:unit_detail", kwargs={"pk": membership.unit_id})
        if membership.unit_id
        else reverse("org:leader_list")
        if role_of(request.user) == Role.OFFICE
        else reverse("dashboard:cockpit")
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.set_contact(
                user=request.user,
                person=person,
                mobile=data["mobile"],
                email=data["email"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            form.add_error(exc.code if exc.code in ("mobile", "email") else None, exc)
        else:
            messages.success(
                request, _("Contact details saved.") if changed else _("Nothing changed.")
            )
            return redirect(back)
    return render(
        request,
        "org/person_contact.html",
        {
            "form": form,
            "person": person,
            "back": back,
            # only the contact changes: the account's security events are not the head's to see
            "history": [
                entry
                for entry in history_for(person)
                if entry.event.action == "org.person.contact_changed"
            ],
        },
    )


# --- Back office: the office and the system administrator keep the organisation ---


def _org_admin(request) -> None:
    if role_of(request.user) not in ORG_ADMIN_ROLES:
        raise PermissionDenied


def _save_unit(request, form: UnitForm, unit: Unit | None):
    """Save through the service; errors go back onto the form. The unit, or None."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    if unit is None and Unit.objects.filter(code=data["code"]).exists():
        form.add_error("code", _("A unit with this code already exists."))
        return None
    try:
        saved, _changed = services.save_unit(
            user=request.user,
            code=unit.code if unit else data["code"],
            name=data["name"],
            kind=data["kind"],
            parent=data["parent"],
            sort_order=data["sort_order"],
            expected_version=data.get("version") if unit else None,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    except IntegrityError:
        form.add_error("name", _("Another unit already has this name."))
        return None
    return saved


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    _org_admin(request)
    form = UnitForm(request.POST or None)
    if request.method == "POST":
        unit = _save_unit(request, form, None)
        if unit is not None:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _org_admin(request)
    unit = get_object_or_404(Unit, pk=pk)
    initial = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id,
        "sort_order": unit.sort_order,
        "version": unit.version,
    }
    form = UnitForm(request.POST or None, initial=initial, unit=unit)
    section_form = SectionForm()
    if request.method == "POST":
        saved = _save_unit(request, form, unit)
        if saved is not None:
            messages.success(request, _("Unit %(name)s saved.") % {"name": saved.name})
            return redirect("org:unit_edit", pk=unit.pk)
    return render(
        request,
        "org/unit_form.html",
        {
            "form": form,
            "unit": unit,
            "section_form": section_form,
            "sections": unit.sections.order_by("name"),
            "history": history_for(unit),
        },
    )


@login_required
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    _org_admin(request)
    unit = get_object_or_404(Unit, pk=pk)
    if request.method != "POST":
        return redirect("org:unit_edit", pk=unit.pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        section = services.save_section(
            user=request.user, unit=unit, name=form.cleaned_data["name"].strip()
        )
        messages.success(request, _("Section %(name)s added.") % {"name": section.name})
    else:
        messages.error(request, _("Enter the section's name."))
    return redirect("org:unit_edit", pk=unit.pk)


@login_required
def leader_list(request: HttpRequest) -> HttpResponse:
    _org_admin(request)
    leaders = (
        Leader.objects.prefetch_related("oversees")
        .select_related("user", "user__membership")
        .order_by("sort_order", "name")
    )
    return render(
        request,
        "org/leader_list.html",
        {"leaders": leaders, "is_office": role_of(request.user) == Role.OFFICE},
    )


def _leader_form_page(request, leader: Leader | None) -> HttpResponse:
    initial = {}
    if leader is not None:
        initial = {
            "name": leader.name,
            "title": leader.title,
            "sort_order": leader.sort_order,
            "oversees": list(leader.oversees.values_list("pk", flat=True)),
            "version": leader.version,
        }
    form = LeaderForm(request.POST or None, initial=initial, existing=leader is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if leader is None and Leader.objects.filter(name=data["name"].strip()).exists():
            form.add_error("name", _("A leader with this name already exists."))
        else:
            try:
                saved, _changed = services.save_leader(
                    user=request.user,
                    name=leader.name if leader else data["name"].strip(),
                    title=data["title"].strip(),
                    sort_order=data["sort_order"],
                    oversees=list(data["oversees"]),
                    expected_version=data["version"] if leader else None,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Leader %(name)s saved.") % {"name": saved.name})
                return redirect("org:leader_list")
    context = {"form": form, "leader": leader}
    if leader is not None:
        context["history"] = history_for(leader)
    return render(request, "org/leader_form.html", context)


@login_required
def leader_create(request: HttpRequest) -> HttpResponse:
    _org_admin(request)
    return _leader_form_page(request, None)


@login_required
def leader_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _org_admin(request)
    return _leader_form_page(request, get_object_or_404(Leader, pk=pk))


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The office's holiday calendar for one year: the days that differ from Mon–Fri."""
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied
    year, error = query_value(request.GET, "year", parse_year, timezone.localdate().year)
    if error:
        messages.error(request, error)
    day_form = CalendarDayForm(prefix="day")
    year_form = CalendarYearForm(prefix="year")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "day":
                day_form = CalendarDayForm(request.POST, prefix="day")
                if day_form.is_valid():
                    data = day_form.cleaned_data
                    services.set_calendar_day(
                        user=request.user,
                        date=data["date"],
                        is_workday=data["is_workday"],
                        name=data["name"],
                    )
                    messages.success(request, _("%(date)s saved.") % {"date": data["date"]})
                    return redirect(f"{request.path}?year={data['date'].year}")
            elif action == "remove":
                date = parse_date_param(request.POST.get("date", ""))
                services.remove_calendar_day(user=request.user, date=date)
                messages.success(request, _("%(date)s removed.") % {"date": date})
                return redirect(f"{request.path}?year={date.year}")
            elif action == "seed":
                count = services.seed_calendar_year(user=request.user, year=year)
                messages.success(
                    request,
                    _("%(count)s days of %(year)s entered from the bundled holiday data.")
                    % {"count": count, "year": year},
                )
                return redirect(f"{request.path}?year={year}")
            elif action == "year":
                year_form = CalendarYearForm(request.POST, prefix="year")
                if year_form.is_valid():
                    services.mark_calendar_year(
                        user=request.user, year=year, source=year_form.cleaned_data["source"]
                    )
                    messages.success(request, _("%(year)s is marked as entered.") % {"year": year})
                    return redirect(f"{request.path}?year={year}")
        except (ValidationError, InputError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    entry = CalendarYear.objects.filter(year=year).first()
    return render(
        request,
        "org/calendar.html",
        {
            "year": year,
            "days": days,
            "entry": entry,
            "day_form": day_form,
            "year_form": year_form,
            "years": CalendarYear.objects.order_by("year"),
            "due_soon_workdays": services.site_config().due_soon_workdays,
        },
    )


@login_required
def site_settings(request: HttpRequest) -> HttpResponse:
    """The office's settings that drive every figure: reporting period, time-progress mode
    and the due-soon window. Saved through the service: audited, stale edits refused."""
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied
    config = services.site_config()
    initial = {
        "name": config.name,
        "default_year": config.default_year,
        "default_as_of": config.default_as_of,
        "time_progress_mode": config.time_progress_mode,
        "due_soon_workdays": config.due_soon_workdays,
        "version": config.version,
    }
    form = SiteConfigForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _config, changed = services.save_site_config(
                user=request.user,
                name=data["name"],
                default_year=data["default_year"],
                default_as_of=data["default_as_of"],
                time_progress_mode=data["time_progress_mode"],
                due_soon_workdays=data["due_soon_workdays"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("Settings saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("org:settings")
    # the period every figure uses with these settings, from the read model (a pinned past
    # year reads on its last day, not today)
    period = office_period()
    return render(
        request,
        "org/settings.html",
        {
            "form": form,
            "config": config,
            "period": period,
            "as_of": period.as_of,
            "time_progress": period.progress,
            "history": [] if config._state.adding else history_for(config),
        },
    )
