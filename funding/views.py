from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.history import history_for
from audit.versions import StaleObjectError
from common.lists import render_list
from common.money import format_amount, format_wan
from common.permissions import BUSINESS_ROLES, Role, role_of
from common.validation import InputError, parse_id, parse_page, refuse_control_characters
from org.period import office_period

from . import lists, services
from .corrections import services as correction_services
from .corrections.context import receipt_corrections_context
from .forms import ContactLinkForm, NewTargetForm, TargetForm
from .models import Contact, Guide, Project, Receipt, Target
from .pipeline_views import project_context
from .querysets import doubtful_claims, receipt_list_rows, targets_in_force


def _business(request) -> None:
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied


@login_required
def target_create(request):
    """The office sets a unit's target for a year it has none for (a new year's targets);
    an existing target is raised or lowered on its own page."""
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied
    form = NewTargetForm(request.POST or None, initial={"year": office_period().year + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit, year = data["unit"], data["year"]
        existing = Target.objects.filter(unit=unit, year=year).first()
        if existing is not None:
            form.add_error(
                None,
                _(
                    "%(unit)s already has a %(year)s target (%(amount)s万元): change it on its "
                    "page, from an effective date on."
                )
                % {"unit": unit.name, "year": year, "amount": format_wan(existing.amount)},
            )
            return render(
                request, "funding/target_create.html", {"form": form, "existing": existing}
            )
        try:
            target, _created = services.set_target(
                user=request.user, unit=unit, year=year, amount=data["amount"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The %(year)s target of %(unit)s is %(amount)s万元.")
                % {"year": year, "unit": unit.name, "amount": format_wan(target.amount)},
            )
            return redirect("funding:target_edit", pk=target.pk)
    return render(request, "funding/target_create.html", {"form": form, "existing": None})


@login_required
def target_edit(request, pk: int):
    """A target and its history; the office raises or lowers it from an effective date on."""
    target = get_object_or_404(
        Target.objects.visible_to(request.user).select_related("unit"), pk=pk
    )
    if request.method == "POST" and role_of(request.user) != Role.OFFICE:
        raise PermissionDenied  # units and leaders read the history; the office sets targets
    today = timezone.localdate()
    form = TargetForm(
        request.POST or None,
        year=target.year,
        initial={
            "amount": format_wan(target.amount).replace(",", ""),
            "effective_on": services.effective_date(target.year, None, today=today),
            "version": target.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _target, changed = services.set_target(
                user=request.user,
                unit=target.unit,
                year=target.year,
                amount=data["amount"],
                effective_on=data["effective_on"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(
                    request,
                    _("The %(year)s target of %(unit)s is %(amount)s万元 from %(date)s on.")
                    % {
                        "year": target.year,
                        "unit": target.unit.name,
                        "amount": format_wan(data["amount"]),
                        "date": data["effective_on"].isoformat(),
                    },
                )
            else:
                messages.info(
                    request,
                    _("That is already the target in force on %(date)s; nothing changed.")
                    % {"date": data["effective_on"].isoformat()},
                )
            return redirect("funding:target_edit", pk=target.pk)
    as_of = office_period().as_of
    in_force = None
    if as_of.year == target.year:
        in_force = targets_in_force(target.year, as_of, unit_ids=[target.unit_id]).get(
            target.unit_id
        )
    revisions = target.revisions.select_related("changed_by")
    return render(
        request,
        "funding/target_edit.html",
        {
            "target": target,
            "form": form,
            "revisions": revisions,
            "as_of": as_of,
            "in_force": in_force,
        },
    )


@login_required
def project_list(request):
    _business(request)
    actions = []
    role = role_of(request.user)
    if role in (Role.OFFICE, Role.UNIT_HEAD, Role.UNIT_OFFICER):
        actions.append((_("New reserve project"), reverse("funding:project_create")))
    actions.append((_("Success rates"), reverse("funding:rates")))
    if role == Role.OFFICE:
        actions.append((_("Materials checklist"), reverse("funding:requirement_list")))
    return render_list(
        request, lists.PROJECTS, Project.objects.visible_to(request.user), {"actions": actions}
    )


@login_required
def receipt_list(request):
    _business(request)
    role = role_of(request.user)
    actions = [(_("Corrections of receipts"), reverse("funding:correction_list"))]
    if role == Role.OFFICE:
        actions.append((_("Doubtful claims to check"), reverse("funding:claim_list")))
    spec = lists.RECEIPTS if role == Role.LEADER else lists.RECEIPTS_CORRECTABLE
    rows = receipt_list_rows(
        request.user,
        sort=str(request.GET.get("sort", "")),
        page=parse_page(request.GET.get("page", "")),
    )
    return render_list(request, spec, rows, {"actions": actions})


def _office(request) -> None:
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied


CLAIMS_PER_PAGE = 20


@login_required
def claim_list(request):
    """待核实: every 文号 recorded by more than one unit that the office has not confirmed,
    each receipt with a button to reject it, and the claim with one to confirm it."""
    _office(request)
    claims = [
        {
            **claim,
            "doc_key": claim["receipts"][0].doc_key,
            "seen": ",".join(str(r.pk) for r in claim["receipts"]),
            "total": sum(r.amount for r in claim["receipts"]),
        }
        for claim in doubtful_claims()
    ]
    page = Paginator(claims, CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "funding/claim_list.html", {"page": page})


@login_required
@require_POST
def claim_confirm(request):
    """The office confirms that one allocation document funds every unit that recorded it."""
    _office(request)
    try:
        try:
            seen = [parse_id(part) for part in request.POST.get("seen", "").split(",")[:1000]]
        except InputError:
            raise StaleObjectError(
                _("The form is out of date; reload the page."), code="stale"
            ) from None
        refuse_control_characters(request.POST.get("note", ""))  # a text read without a form
        review = services.confirm_claim(
            user=request.user,
            doc_key=request.POST.get("doc_key", "")[:300],
            seen=seen,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Confirmed: %(doc_no)s funds several units; it is no longer listed as doubtful.")
            % {"doc_no": review.doc_no},
        )
    return redirect("funding:claim_list")


@login_required
@require_POST
def receipt_reject(request, pk: int):
    """The office removes one receipt of a doubtful claim as a double claim."""
    _office(request)
    receipt = get_object_or_404(Receipt.every.select_related("unit"), pk=pk)
    try:
        try:
            version = parse_id(request.POST.get("version", ""))
        except InputError:
            raise StaleObjectError(
                _("The form is out of date; reload the page."), code="stale"
            ) from None
        refuse_control_characters(request.POST.get("note", ""))  # a text read without a form
        correction_services.reject_receipt(
            user=request.user,
            receipt=receipt,
            note=request.POST.get("note", ""),
            expected_version=version,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Rejected: the receipt of %(unit)s on %(date)s (%(amount)s, %(doc_no)s) is "
                "removed from the figures."
            )
            % {
                "unit": receipt.unit.name,
                "date": receipt.received_on.isoformat(),
                "amount": format_amount(receipt.amount),
                "doc_no": receipt.doc_no,
            },
        )
    return redirect("funding:claim_list")


@login_required
def guide_list(request):
    _business(request)
    actions = []
    if role_of(request.user) == Role.OFFICE:
        actions.append((_("New guide"), reverse("funding:guide_create")))
    return render_list(
        request, lists.GUIDES, Guide.objects.visible_to(request.user), {"actions": actions}
    )


@login_required
def contact_list(request):
    _business(request)
    actions = [(_("When each counterpart was last contacted"), reverse("funding:counterpart_list"))]
    return render_list(
        request, lists.CONTACTS, Contact.objects.visible_to(request.user), {"actions": actions}
    )


def _detail(request, template: str, obj, title: str, back: str, facts: list, **context):
    return render(
        request,
        template,
        {
            "title": title,
            "back_url": reverse(back),
            "back_label": _("Back to the list"),
            "facts": facts,
            "history": history_for(obj),
            **context,
        },
    )


def _unit_fact(obj) -> tuple:
    return (_("Unit"), obj.unit.name, reverse("org:unit_detail", args=[obj.unit_id]))


def _project_fact(obj) -> tuple:
    if obj.project_id is None:
        return (_("Project"), "", "")
    return (
        _("Project"),
        obj.project.name,
        reverse("funding:project_detail", args=[obj.project_id]),
    )


@login_required
def project_detail(request, pk: int):
    _business(request)
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related(
            "unit", "channel", "section", "measure__policy", "follow_up", "guide"
        ),
        pk=pk,
    )
    facts = [
        (_("Project code"), project.code, ""),
        _unit_fact(project),
        (_("Section"), project.section.name if project.section else "", ""),
        (_("Stage"), project.get_stage_display(), ""),
        (_("Channel"), project.channel.name if project.channel else "", ""),
        (_("Level"), project.get_level_display(), ""),
        (
            _("Total investment"),
            format_amount(project.total_investment) if project.total_investment else "",
            "",
        ),
        (_("Requested"), format_amount(project.requested) if project.requested else "", ""),
        (_("Applied on"), project.applied_on, ""),
        (_("Plan included in"), _included_in(project), ""),
        (_("Plan year"), project.plan_year, ""),
        # a measure's code (一, 二…) means something only with its policy's name
        (
            _("Policy measure"),
            f"{project.measure.policy} · {project.measure}" if project.measure else "",
            "",
        ),
        (_("Person responsible"), project.owner, ""),
        (
            _("Follow-up person"),
            (project.follow_up.first_name or project.follow_up.username)
            if project.follow_up
            else "",
            "",
        ),
        (_("Next follow-up"), project.next_follow_up_on, ""),
        (
            _("Application guide"),
            project.guide.title if project.guide else "",
            reverse("funding:guide_detail", args=[project.guide_id]) if project.guide_id else "",
        ),
        (_("Description"), project.description, ""),
    ]
    return _detail(
        request,
        "funding/project_detail.html",
        project,
        f"{project.code} {project.name}",
        "funding:project_list",
        facts,
        project=project,
        stages=project.stage_changes.select_related("changed_by"),
        receipts=project.receipts.select_related("channel").order_by("-received_on"),
        contacts=project.contacts.select_related("leader").order_by("-occurred_on"),
        **_with_include_form(request, project, project_context(request, project)),
    )


def _included_in(project) -> str:
    """纳入计划: the plan, its batch, the date and the amount in it, in one line."""
    if not project.included_plan:
        return ""
    parts = [project.included_plan, project.included_batch]
    if project.included_on:
        parts.append(project.included_on.isoformat())
    if project.included_amount is not None:
        parts.append(format_amount(project.included_amount))
    return " · ".join(p for p in parts if p)


def _with_include_form(request, project, context: dict) -> dict:
    from .plan_views import include_form_for

    return {
        **context,
        "include_form": include_form_for(request, project, context.get("can_change", False)),
    }


@login_required
def receipt_detail(request, pk: int):
    _business(request)
    receipt = get_object_or_404(
        Receipt.every.visible_to(request.user).select_related(
            "unit", "channel", "project", "corrects"
        ),
        pk=pk,
    )
    facts = [
        _unit_fact(receipt),
        (_("Amount"), format_amount(receipt.amount), ""),
        (_("Received on"), receipt.received_on, ""),
        (_("Document number"), receipt.doc_no, ""),
        (_("Channel"), receipt.channel.name if receipt.channel else "", ""),
        (_("Level"), receipt.get_level_display(), ""),
        _project_fact(receipt),
        (_("Note"), receipt.note, ""),
    ]
    title = f"{receipt.received_on} {receipt.unit.name} {format_amount(receipt.amount)}"
    return _detail(
        request,
        "funding/receipt_detail.html",
        receipt,
        title,
        "funding:receipt_list",
        facts,
        **receipt_corrections_context(request.user, receipt),
    )


@login_required
def contact_detail(request, pk: int):
    _business(request)
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).select_related(
            "unit", "leader", "project", "result_receipt__unit"
        ),
        pk=pk,
    )
    facts = [
        _unit_fact(contact),
        (_("Direction"), contact.get_direction_display(), ""),
        (_("Date"), contact.occurred_on, ""),
        (_("Counterpart"), contact.counterpart, ""),
        (_("People"), contact.people, ""),
        (_("Leader taking part"), contact.leader.name if contact.leader else "", ""),
        _project_fact(contact),
        (_("Result"), contact.get_result_display(), ""),
        (
            _("Receipt it led to"),
            str(contact.result_receipt) if contact.result_receipt else "",
            reverse("funding:receipt_detail", args=[contact.result_receipt_id])
            if contact.result_receipt_id
            else "",
        ),
        (_("Summary"), contact.summary, ""),
    ]
    title = f"{contact.occurred_on} {contact.counterpart}"
    link_form = None
    if Contact.objects.visible_to(request.user, "change").filter(pk=contact.pk).exists():
        link_form = ContactLinkForm(
            unit=contact.unit,
            initial={
                "project": contact.project_id,
                "result": contact.result,
                "result_receipt": contact.result_receipt_id,
                "version": contact.version,
            },
        )
    return _detail(
        request,
        "funding/contact_detail.html",
        contact,
        title,
        "funding:contact_list",
        facts,
        contact=contact,
        link_form=link_form,
    )
