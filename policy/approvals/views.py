"""A unit's requests (POST only, from the item's or the node's page) and the office's
decisions (from that page or the office's queue)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.permissions import Role, role_of

from .. import views as pages
from ..models import CloseRequest, ExtensionRequest
from . import services
from .context import may_ask_for_item, may_ask_for_milestone
from .forms import APPROVE, CloseRequestForm, DecisionForm, ExtensionRequestForm


def _filed(due_on) -> str:
    return _(
        "Extension request filed: the office will approve or refuse it. Until then the due "
        "date stays %(due)s."
    ) % {"due": due_on.isoformat()}


@login_required
def workitem_extension(request, pk: int):
    """The lead unit asks to move the item's due date."""
    return _ask_extension(request, pk, "work_item")


@login_required
def milestone_extension(request, pk: int):
    """The node's unit asks to move its due date."""
    return _ask_extension(request, pk, "milestone")


def _ask_extension(request, pk: int, owner: str):
    """An extension request of a work item or a time node (`owner`), from its page."""

    def act(target, data):
        services.request_extension(
            user=request.user,
            **{owner: target},
            due_on=data["due_on"],
            reason=data["reason"],
            upload=data.get("evidence"),
            expected_version=data.get("version"),
        )
        return _filed(target.due_on)

    if owner == "work_item":
        action, may_ask = pages._item_action, may_ask_for_item
    else:
        action, may_ask = pages._milestone_action, may_ask_for_milestone
    return action(
        request,
        pk,
        ExtensionRequestForm,
        "extension_form",
        act,
        lambda target: may_ask(request.user, target),
    )


@login_required
def workitem_closing(request, pk: int):
    """The lead unit says the item is done: 待销号 until the office confirms."""

    def act(item, data):
        services.request_closing(
            user=request.user,
            item=item,
            done_on=data["done_on"],
            note=data["note"],
            upload=data.get("evidence"),
            expected_version=data.get("version"),
        )
        return _("Done reported: the item shows “awaiting closing” until the office confirms.")

    return pages._item_action(
        request,
        pk,
        CloseRequestForm,
        "closing_form",
        act,
        lambda i: may_ask_for_item(request.user, i),
    )


# --- The office decides ----------------------------------------------------------------------


def _office(request) -> None:
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied


@dataclass(frozen=True)
class _Decision:
    """One kind of unit request as the office decides it: which requests the office sees,
    the services that approve and refuse it, what it is told after each, and the name of the
    decision form on the page it is decided from."""

    requests: Callable
    approve: Callable
    refuse: Callable
    approved: Callable[[object], str]
    refused: Callable[[object], str]
    form_name: str


DECISIONS = {
    "extension": _Decision(
        requests=lambda user: ExtensionRequest.objects.visible_to(user),
        approve=services.approve_extension,
        refuse=services.refuse_extension,
        approved=lambda extension: (
            _("Extension approved: the due date moved from %(old)s to %(new)s.")
            % {"old": extension.old_due_on.isoformat(), "new": extension.new_due_on.isoformat()}
        ),
        refused=lambda extension: (
            _("Extension refused; the due date stays %(due)s.")
            % {"due": extension.old_due_on.isoformat()}
        ),
        form_name="extension_decision_form",
    ),
    "closing": _Decision(
        requests=lambda user: CloseRequest.objects.visible_to(user).select_related("work_item"),
        approve=services.confirm_closing,
        refuse=services.return_closing,
        approved=lambda closing: (
            _("Work item %(code)s closed (销号), done on %(day)s.")
            % {"code": closing.work_item.code, "day": closing.done_on.isoformat()}
        ),
        refused=lambda closing: (
            _("Closing of %(code)s returned to the unit.") % {"code": closing.work_item.code}
        ),
        form_name="closing_decision_form",
    ),
}


def _item_page(request, pk, form_name, form):
    states = pages._states_on()
    item = pages._visible_item(request, pk, with_state=states)
    context = pages._item_context(request, item, states, **{form_name: form})
    return render(request, "policy/workitem_detail.html", context, status=400)


def _milestone_page(request, pk, form_name, form):
    milestone = pages._visible_milestone(request, pk)
    context = pages._milestone_context(request, milestone, **{form_name: form})
    return render(request, "policy/milestone_detail.html", context, status=400)


@login_required
def request_decide(request, pk: int, kind: str):
    """The office approves or refuses (with a comment) a unit's request: an extension (the
    date moves) or a closing (销号). Back to the queue or the page it came from; that page
    with the form's errors (status 400) when the form or the service refuses."""
    _office(request)
    decision = DECISIONS[kind]
    asked = get_object_or_404(decision.requests(request.user), pk=pk)
    if asked.work_item_id is not None:
        detail, target, page = "policy:workitem_detail", asked.work_item_id, _item_page
    else:
        detail, target, page = "policy:milestone_detail", asked.milestone_id, _milestone_page
    if request.method != "POST":
        return redirect(detail, pk=target)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        approve = data["decision"] == APPROVE
        try:
            (decision.approve if approve else decision.refuse)(
                user=request.user,
                request=asked,
                comment=data["comment"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, (decision.approved if approve else decision.refused)(asked))
            if request.POST.get("back") == "queue":
                return redirect("policy:request_queue")
            return redirect(detail, pk=target)
    return page(request, target, decision.form_name, form)


@login_required
def request_queue(request):
    """The office's queue: every extension request and closing awaiting a decision, oldest
    first, each with its decision form; and the latest decided."""
    _office(request)
    extensions = list(
        ExtensionRequest.objects.pending()
        .select_related("unit", "requested_by", "work_item", "milestone__work_item")
        .prefetch_related("evidence")
        .order_by("requested_at", "id")
    )
    closings = list(
        CloseRequest.objects.pending()
        .select_related("unit", "requested_by", "work_item")
        .prefetch_related("evidence")
        .order_by("requested_at", "id")
    )
    for kind, rows in (("e", extensions), ("c", closings)):
        for row in rows:
            row.form = DecisionForm(
                initial={"version": row.version}, auto_id=f"id_{kind}{row.pk}_%s"
            )
    decided = sorted(
        [
            *ExtensionRequest.objects.exclude(status="pending")
            .select_related("unit", "requested_by", "decided_by", "work_item", "milestone")
            .prefetch_related("evidence")
            .order_by("-decided_at")[:10],
            *CloseRequest.objects.exclude(status="pending")
            .select_related("unit", "requested_by", "decided_by", "work_item")
            .prefetch_related("evidence")
            .order_by("-decided_at")[:10],
        ],
        key=lambda r: r.decided_at,
        reverse=True,
    )[:10]
    return render(
        request,
        "policy/request_queue.html",
        {"extensions": extensions, "closings": closings, "decided": decided},
    )
