"""Pages of the striving pipeline (design §9): the reserve's projects and their materials,
guides with their matches, leads, contact results, counterparts and success rates.

Views check permission, parse input, call a service and render; records outside the user's
scope answer 404 (`visible_to`), pages a role has no business with 403.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.files import allowed_suffixes, max_upload_bytes
from common.lists import render_list
from common.permissions import BUSINESS_ROLES, UNIT_ROLES, Role, role_of
from common.validation import MISSING_VERSION, InputError, parse_id, parse_int
from org.models import Unit
from org.period import office_period, period_from_query

from . import services
from .choices import Level, Stage
from .forms import (
    ContactLinkForm,
    GuideForm,
    LeadConvertForm,
    LeadForm,
    MaterialForm,
    ProjectForm,
    RequirementForm,
)
from .matching import matches_for
from .models import Contact, Guide, Lead, MaterialRequirement, Project, ProjectMaterial
from .pipeline_lists import lead_spec
from .rates import success_rates


def _business(request) -> None:
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied


def _writer(request) -> None:
    """Units keep their own reserve; the office may keep any unit's. Leaders read."""
    if role_of(request.user) not in (Role.OFFICE, *UNIT_ROLES):
        raise PermissionDenied


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- projects ---------------------------------------------------------------------------


@login_required
def project_create(request):
    _writer(request)
    if role_of(request.user) == Role.OFFICE:
        try:
            unit_id = parse_id(request.POST.get("unit") or request.GET.get("unit") or "")
        except InputError:
            units = Unit.objects.order_by("sort_order", "code")
            return render(request, "funding/project_unit_choice.html", {"units": units})
        unit = get_object_or_404(Unit, pk=unit_id)
    else:
        unit = request.user.membership.unit
    year = office_period().year
    form = ProjectForm(request.POST or None, unit=unit, initial={"plan_year": year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(
                user=request.user,
                code=form.cleaned_data["code"],
                unit=unit,
                on=office_period().as_of,  # the reporting date, as every stage change of a page
                **form.values(),
            )
        except ValidationError as exc:
            field = "code" if getattr(exc, "code", "") == "code_taken" else None
            form.add_error(field, exc)
        else:
            messages.success(
                request,
                _("%(name)s is in the reserve. Attach its materials below.")
                % {"name": project.name},
            )
            return redirect("funding:project_detail", pk=project.pk)
    return render(
        request,
        "funding/project_form.html",
        {"form": form, "unit": unit, "project": None},
    )


@login_required
def project_edit(request, pk: int):
    _writer(request)
    project = get_object_or_404(
        Project.objects.visible_to(request.user, "change").select_related("unit"), pk=pk
    )
    initial = {
        "code": project.code,
        "name": project.name,
        "plan_year": project.plan_year,
        "total_investment": _wan(project.total_investment),
        "requested": _wan(project.requested),
        "description": project.description,
        "channel": project.channel_id,
        "level": project.level,
        "measure": project.measure_id,
        "section": project.section_id,
        "follow_up": project.follow_up_id,
        "owner": project.owner,
        "next_follow_up_on": project.next_follow_up_on,
        "version": project.version,
    }
    form = ProjectForm(request.POST or None, unit=project.unit, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _project, changed = services.update_project(
                user=request.user,
                project=project,
                expected_version=form.cleaned_data["version"],
                **form.values(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("Project saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("funding:project_detail", pk=project.pk)
    return render(
        request,
        "funding/project_form.html",
        {"form": form, "unit": project.unit, "project": project},
    )


def _wan(amount: int | None) -> str:
    from common.money import format_wan

    return "" if amount is None else format_wan(amount, places=4).replace(",", "")


def project_context(request, project: Project) -> dict:
    """What the project page adds to its facts: the money strip, the checklist with files,
    and the guides it fits."""
    can_change = Project.objects.visible_to(request.user, "change").filter(pk=project.pk).exists()
    condition = Q(channel__isnull=True)
    if project.channel_id:
        condition |= Q(channel_id=project.channel_id)
    requirements = list(MaterialRequirement.objects.filter(condition))
    requirements.sort(key=lambda r: (r.channel_id is not None, r.sort_order, r.name))
    attached = list(
        project.materials.select_related("requirement", "uploaded_by").order_by("uploaded_at", "pk")
    )
    checklist = [
        {"requirement": r, "files": [f for f in attached if f.requirement_id == r.pk]}
        for r in requirements
    ]
    others = [f for f in attached if f.requirement_id not in {r.pk for r in requirements}]
    arrived = sum(project.receipts.arrived_per_project().values_list("total", flat=True))
    guides = []
    if project.stage == Stage.RESERVE:
        from common import stamps

        from .matching import document_counts, fits_of_project

        as_of = office_period().as_of
        open_guides = (
            Guide.objects.visible_to(request.user)
            .filter(deadline__gte=as_of)
            .select_related("channel")
            .prefetch_related("units")
        )
        # the reserve's word counts are the same for every project page this viewer opens
        # until something is written: segmented once under the data stamps, not per view
        counts = stamps.cached(
            "reserve_words",
            (request.user.pk,),
            lambda: document_counts(request.user),
            receipts=False,
        )
        guides = [
            {"guide": guide, "match": match}
            for guide, match in fits_of_project(project, list(open_guides), counts)
        ]
        guides.sort(key=lambda g: -g["match"].score)
        guides = guides[:5]
    return {
        "can_change": can_change,
        "checklist": checklist,
        "other_files": others,
        "missing": [c["requirement"].name for c in checklist if not c["files"]],
        "material_form": MaterialForm(project=project) if can_change else None,
        "money": {
            "requested": project.requested,
            "approved": project.approved_amount
            if project.approved_amount is not None
            else (project.requested if project.stage in (Stage.APPROVED, Stage.FUNDED) else None),
            "arrived": arrived,
        },
        "max_mb": max_upload_bytes() // 1024 // 1024,
        "allowed": allowed_suffixes(),
        "fitting_guides": guides,
    }


@login_required
@require_POST
def material_upload(request, pk: int):
    _writer(request)
    project = get_object_or_404(Project.objects.visible_to(request.user, "change"), pk=pk)
    form = MaterialForm(request.POST, request.FILES, project=project)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("funding:project_detail", pk=project.pk)
    upload = form.cleaned_data["file"]
    try:
        material = services.attach_material(
            user=request.user,
            project=project,
            name=upload.name,
            content=upload,
            requirement=form.cleaned_data["requirement"],
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Attached: %(name)s.") % {"name": material.name})
    return redirect("funding:project_detail", pk=project.pk)


@login_required
def material_download(request, pk: int):
    _business(request)
    material = get_object_or_404(
        ProjectMaterial.objects.visible_to(request.user).select_related("project"), pk=pk
    )
    response = ProjectMaterial.FOLDER.download(
        material.storage_name, filename=material.name, content_type=material.content_type
    )
    services.record_material_download(user=request.user, material=material)
    return response


@login_required
@require_POST
def material_remove(request, pk: int):
    _writer(request)
    material = get_object_or_404(
        ProjectMaterial.objects.visible_to(request.user, "change").select_related("project"),
        pk=pk,
    )
    services.remove_material(user=request.user, material=material)
    messages.success(request, _("Removed: %(name)s.") % {"name": material.name})
    return redirect("funding:project_detail", pk=material.project_id)


@login_required
def requirement_list(request):
    """The office edits the materials checklist of each channel."""
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied
    form = RequirementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _requirement, created = services.save_material_requirement(
                user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if created:
                messages.success(request, _("Checklist item added."))
            else:
                messages.info(request, _("This item is already on the checklist."))
            return redirect("funding:requirement_list")
    requirements = MaterialRequirement.objects.select_related("channel").annotate(
        files_count=Count("files")
    )
    return render(
        request, "funding/requirement_list.html", {"form": form, "requirements": requirements}
    )


@login_required
@require_POST
def requirement_delete(request, pk: int):
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied
    requirement = get_object_or_404(MaterialRequirement, pk=pk)
    services.remove_material_requirement(user=request.user, requirement=requirement)
    messages.success(request, _("Checklist item removed: %(name)s.") % {"name": requirement.name})
    return redirect("funding:requirement_list")


# --- guides -----------------------------------------------------------------------------


def _guide_form_response(request, form, guide=None):
    return render(request, "funding/guide_form.html", {"form": form, "guide": guide})


@login_required
def guide_create(request):
    """The office records an application guide a higher level has published."""
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied
    today = office_period().as_of
    form = GuideForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["code"] and Guide.objects.filter(code=data["code"]).exists():
            form.add_error("code", _("This guide code is already used."))
            return _guide_form_response(request, form)
        guide, created = services.save_guide(
            user=request.user, code=data["code"], units=list(data["units"]), **form.values()
        )
        if created:
            if data["deadline"] and data["deadline"] < today:
                messages.warning(
                    request,
                    _("Recorded, but its deadline %(deadline)s has passed.")
                    % {"deadline": data["deadline"].isoformat()},
                )
            else:
                messages.success(request, _("Guide recorded."))
            return redirect("funding:guide_detail", pk=guide.pk)
        form.add_error("title", _("This guide from this issuer is already recorded."))
    return _guide_form_response(request, form)


@login_required
def guide_edit(request, pk: int):
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied
    guide = get_object_or_404(Guide, pk=pk)
    initial = {
        "code": guide.code,
        "title": guide.title,
        "issuer": guide.issuer,
        "level": guide.level,
        "channel": guide.channel_id,
        "aspect": guide.aspect_id,
        "published_on": guide.published_on,
        "deadline": guide.deadline,
        "scope": guide.scope,
        "conditions": guide.conditions,
        "materials": guide.materials,
        "units": list(guide.units.values_list("pk", flat=True)),
        "version": guide.version,
    }
    form = GuideForm(
        request.POST or None, today=office_period().as_of, editing=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            _guide, changed = services.update_guide(
                user=request.user,
                guide=guide,
                units=list(form.cleaned_data["units"]),
                expected_version=form.cleaned_data["version"],
                **form.values(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Guide saved.") if changed else _("Nothing changed."))
            return redirect("funding:guide_detail", pk=guide.pk)
    return _guide_form_response(request, form, guide)


def countdown(deadline: dt.date | None, as_of: dt.date, calendar=None) -> dict | None:
    """Working days left to a deadline on the statutory calendar, for a badge."""
    if deadline is None:
        return None
    if calendar is None:
        from org.calendar import load_calendar

        calendar = load_calendar(as_of.year, deadline.year)
    if deadline < as_of:
        return {"days": 0, "closed": True, "urgent": True}
    days = calendar.workdays_between(as_of, deadline)
    return {"days": days, "closed": False, "urgent": days <= 5}


@login_required
def guide_detail(request, pk: int):
    _business(request)
    guide = get_object_or_404(
        Guide.objects.visible_to(request.user).select_related("aspect", "channel"), pk=pk
    )
    as_of = office_period().as_of
    matches = matches_for(guide, request.user)
    changeable = dict(  # project id → the version the "prepare application" form read
        Project.objects.visible_to(request.user, "change")
        .filter(pk__in=[m.project.pk for m in matches])
        .values_list("pk", "version")
    )
    units = list(guide.units.order_by("sort_order"))
    facts = [
        (_("Guide code"), guide.code, ""),
        (_("Issuer"), guide.issuer, ""),
        (_("Level"), guide.get_level_display(), ""),
        (_("Channel"), guide.channel.name if guide.channel else "", ""),
        (_("Aspect"), guide.aspect.name if guide.aspect else "", ""),
        (_("Published on"), guide.published_on, ""),
        (_("Deadline"), guide.deadline, ""),
        (_("Scope"), guide.scope, ""),
        (_("Conditions"), guide.conditions, ""),
        (_("Materials required"), guide.materials, ""),
        (_("Units concerned"), "、".join(u.name for u in units), ""),
    ]
    from audit.history import history_for

    return render(
        request,
        "funding/guide_detail.html",
        {
            "title": guide.title,
            "guide": guide,
            "back_url": reverse("funding:guide_list"),
            "back_label": _("Back to the list"),
            "facts": facts,
            "history": history_for(guide),
            "matches": [
                {
                    "m": m,
                    "can_prepare": m.project.pk in changeable,
                    "version": changeable.get(m.project.pk),
                }
                for m in matches
            ],
            "countdown": countdown(guide.deadline, as_of),
            "as_of": as_of,
            "can_edit": role_of(request.user) == Role.OFFICE,
        },
    )


@login_required
@require_POST
def guide_prepare(request, pk: int):
    """ "Prepare application" from a match: the project moves to 申报 with the guide linked."""
    _writer(request)
    guide = get_object_or_404(Guide.objects.visible_to(request.user), pk=pk)
    try:
        project_id = parse_id(request.POST.get("project", ""))
    except InputError:
        messages.error(request, _("Choose a project."))
        return redirect("funding:guide_detail", pk=guide.pk)
    project = get_object_or_404(Project.objects.visible_to(request.user, "change"), pk=project_id)
    try:
        version = parse_int(request.POST.get("version", ""), minimum=1)
        services.prepare_application(
            user=request.user,
            project=project,
            guide=guide,
            on=office_period().as_of,
            expected_version=version,
        )
    except InputError:
        messages.error(request, MISSING_VERSION)
        return redirect("funding:guide_detail", pk=guide.pk)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("funding:guide_detail", pk=guide.pk)
    messages.success(
        request,
        _("%(project)s is now applied for under “%(guide)s”.")
        % {"project": project.name, "guide": guide.title},
    )
    return redirect("funding:project_detail", pk=project.pk)


# --- leads, contacts, counterparts ---------------------------------------------------------


@login_required
def lead_list(request):
    _business(request)
    can_write = role_of(request.user) in (Role.OFFICE, *UNIT_ROLES)
    spec = lead_spec(can_convert=can_write)
    actions = [(_("Note a lead"), reverse("funding:lead_create"))] if can_write else []
    return render_list(request, spec, Lead.objects.visible_to(request.user), {"actions": actions})


@login_required
def lead_create(request):
    """A unit notes a lead it heard of; the office notes one for any unit."""
    _writer(request)
    office = role_of(request.user) == Role.OFFICE
    unit = None if office else request.user.membership.unit
    form = LeadForm(request.POST or None, unit=unit, initial={"noted_on": office_period().as_of})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead = services.add_lead(
                user=request.user,
                unit=data["unit"] if office else unit,
                title=data["title"],
                noted_on=data["noted_on"],
                source=data["source"],
                aspect=data["aspect"],
                estimated=data["estimated"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Lead “%(title)s” noted for %(unit)s.")
                % {"title": lead.title, "unit": lead.unit.name},
            )
            return redirect("funding:lead_list")
    return render(request, "funding/lead_form.html", {"form": form, "unit": unit})


@login_required
def lead_convert(request, pk: int):
    _writer(request)
    lead = get_object_or_404(
        Lead.objects.visible_to(request.user, "change").select_related("unit"), pk=pk
    )
    year = office_period().year
    form = LeadConvertForm(
        request.POST or None,
        initial={
            "name": lead.title[:200],
            "plan_year": year + 1,
            "code": f"XM{year + 1}-{lead.unit.code}-L{lead.pk}",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.convert_lead(
                user=request.user,
                lead=lead,
                code=data["code"],
                name=data["name"],
                plan_year=data["plan_year"],
                description=_("From the lead “%(title)s” (%(source)s).")
                % {"title": lead.title, "source": lead.source or "—"},
            )
        except ValidationError as exc:
            form.add_error("code" if getattr(exc, "code", "") == "code_taken" else None, exc)
        else:
            messages.success(
                request, _("The lead is now the project %(code)s.") % {"code": project.code}
            )
            return redirect("funding:project_edit", pk=project.pk)
    return render(request, "funding/lead_convert.html", {"form": form, "lead": lead})


@login_required
@require_POST
def contact_link(request, pk: int):
    _writer(request)
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user, "change").select_related("unit"), pk=pk
    )
    form = ContactLinkForm(request.POST, unit=contact.unit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.link_contact(
                user=request.user,
                contact=contact,
                project=data["project"],
                result=data["result"],
                result_receipt=data["result_receipt"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Contact updated."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("funding:contact_detail", pk=contact.pk)


@login_required
def counterpart_list(request):
    """Per counterpart department: how often and when it was last contacted, by whom."""
    _business(request)
    rows = (
        Contact.objects.visible_to(request.user)
        .values("counterpart")
        .annotate(
            last=Max("occurred_on"), count=Count("pk"), results=Count("pk", filter=~Q(result=""))
        )
        .order_by("last", "counterpart")
    )
    as_of = office_period().as_of
    table = [
        {**row, "days": (as_of - row["last"]).days if row["last"] <= as_of else 0} for row in rows
    ]
    return render(request, "funding/counterpart_list.html", {"rows": table, "as_of": as_of})


# --- success rates -----------------------------------------------------------------------


@login_required
def rates(request):
    _business(request)
    period, error = period_from_query(request.GET)
    if error:
        messages.error(request, error)
    result = success_rates(request.user, period.year, period.as_of)
    chart = {
        "units": [
            {
                "name": r.name,
                "applied": r.applied,
                "approved": r.approved,
                "funded": r.funded,
            }
            for r in result.by_unit
        ],
        "money": {
            "requested": round(result.total.requested / 10_000, 2),
            "approved": round(result.total.approved_amount / 10_000, 2),
            "arrived": round(result.total.arrived / 10_000, 2),
        },
        "labels": {
            "applied": _("Applied"),
            "approved": _("Approved"),
            "funded": _("Funded"),
            "requested": _("Requested"),
            "arrived": _("Arrived"),
            "wan": _("万元"),
            "projects": _("projects"),
        },
    }
    return render(
        request,
        "funding/rates.html",
        {
            "period": period,
            "year": period.year,
            "as_of": period.as_of,
            "rates": result,
            "sections": [
                (_("By unit"), result.by_unit),
                (_("By channel"), result.by_channel),
                (_("By level"), result.by_level),
            ],
            "chart": chart,
            "levels": Level,
        },
    )
