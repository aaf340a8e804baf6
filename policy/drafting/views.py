"""Drafting pages (office): read a policy text into draft items, correct them, confirm;
the units' aliases."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.permissions import Role, role_of
from org.models import Leader, Unit
from org.period import office_period

from ..models import Aspect, UnitAlias
from . import queries, services
from .forms import AliasForm, ConfirmForm, DraftFormSet, DraftSourceForm
from .reading import UnreadableDocument, text_of_bytes

FLAG_LABELS = {
    "ongoing": gettext_lazy("Continuing work (长期坚持 / 持续推进): the text sets no deadline"),
    "no_deadline": gettext_lazy("No deadline found in the text"),
    "leader_by_oversight": gettext_lazy("Lead leader: the lead unit's overseeing leader"),
    "no_lead_unit": gettext_lazy("No lead unit found"),
}


def _office(request) -> None:
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied


def _choices():
    return Unit.objects.order_by("sort_order", "code"), Leader.objects.order_by("sort_order")


def _initial(draft, codes_to_pk: dict, leaders_to_pk: dict, names: dict) -> dict:
    return {
        "include": True,
        "title": draft.title,
        "goal": draft.goal,
        "measure": draft.measure,
        "aspect": draft.aspect,
        "lead_unit": codes_to_pk.get(draft.lead_unit),
        "co_units": "、".join(names.get(c, c) for c in draft.co_units),
        "lead_leader": leaders_to_pk.get(draft.lead_leader),
        "due_on": draft.due_on,
        "milestones": "\n".join(f"{d.isoformat()} {t}" for d, t in draft.milestones),
        "unresolved": "、".join(draft.unresolved),
        "flags": " ".join(draft.flags),
    }


def _preview(request, source, confirm, formset, status=200):
    rows = []
    for form in formset:
        flags = (form["flags"].value() or "").split()
        unresolved = [n for n in (form["unresolved"].value() or "").split("、") if n]
        rows.append(
            {
                "form": form,
                "flags": [FLAG_LABELS.get(f, f) for f in flags],
                "unresolved": unresolved,
            }
        )
    return render(
        request,
        "policy/drafting/preview.html",
        {"source": source, "confirm": confirm, "formset": formset, "rows": rows},
        status=status,
    )


@login_required
def draft_items(request):
    _office(request)
    period = office_period()
    form = DraftSourceForm(
        request.POST or None, request.FILES or None, initial={"year": period.year}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = data["text"] or ""
        if data["upload"] is not None:
            try:
                text = text_of_bytes(data["upload"].name, data["upload"].read())
            except UnreadableDocument as error:
                form.add_error("upload", str(error))
        if not form.errors:
            drafts = queries.draft_text(text, data["year"])
            if not drafts:
                form.add_error(None, _("No work item was found in this text."))
            else:
                units, leaders = _choices()
                codes = {u.code: u.pk for u in units}
                names = {u.code: u.name for u in units}
                leader_pks = {leader.name: leader.pk for leader in leaders}
                formset = DraftFormSet(
                    initial=[_initial(d, codes, leader_pks, names) for d in drafts],
                    units=units,
                    leaders=leaders,
                    directory=queries.directory(),
                )
                first = Aspect.objects.order_by("sort_order", "code").first()
                confirm = ConfirmForm(
                    initial={
                        "policy": data["policy"].pk,
                        "code_prefix": f"P{data['policy'].pk}",
                        "default_aspect": first.pk if first else None,
                    }
                )
                return _preview(request, data["policy"], confirm, formset)
    return render(
        request,
        "policy/drafting/source.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def draft_confirm(request):
    _office(request)
    if request.method != "POST":  # the preview posts here; a bare visit starts again
        return redirect("policy:draft_items")
    confirm = ConfirmForm(request.POST)
    units, leaders = _choices()
    formset = DraftFormSet(
        request.POST, units=units, leaders=leaders, directory=queries.directory()
    )
    confirmed = confirm.is_valid()
    # the policy alone decides whose form this is; the other fields' errors are shown on it
    source = confirm.cleaned_data.get("policy")
    if confirmed and formset.is_valid():
        rows = [f.cleaned_data for f in formset if f.cleaned_data.get("include")]
        try:
            items = services.confirm_drafts(
                user=request.user,
                policy=source,
                rows=rows,
                code_prefix=confirm.cleaned_data["code_prefix"],
                default_aspect=confirm.cleaned_data["default_aspect"],
            )
        except ValidationError as error:
            confirm.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(count)s work items created: %(codes)s.")
                % {"count": len(items), "codes": "、".join(i.code for i in items)},
            )
            return redirect(reverse("policy:workitem_list") + f"?policy={source.pk}")
    if source is None:
        raise PermissionDenied  # no valid policy: the form was not ours
    return _preview(request, source, confirm, formset, status=400)


@login_required
def alias_list(request):
    _office(request)
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.save_unit_alias(
                user=request.user, unit=form.cleaned_data["unit"], alias=form.cleaned_data["alias"]
            )
        except ValidationError as error:
            form.add_error("alias", error)
        else:
            messages.success(request, _("Alias %(alias)s saved.") % {"alias": row.alias})
            return redirect("policy:alias_list")
    return render(
        request,
        "policy/drafting/aliases.html",
        {"form": form, "rows": queries.alias_table()},
        status=400 if form.errors else 200,
    )


@login_required
def alias_remove(request, pk: int):
    _office(request)
    alias = get_object_or_404(UnitAlias, pk=pk)
    if request.method != "POST":
        return redirect("policy:alias_list")
    services.remove_unit_alias(user=request.user, alias=alias)
    messages.success(request, _("Alias %(alias)s removed.") % {"alias": alias.alias})
    return redirect("policy:alias_list")
