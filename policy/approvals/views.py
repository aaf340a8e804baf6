"""A unit's requests (POST only, from the item's or the node's page) and the office's
decisions (from that page or the office's queue)."""

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

    def act(item, data):
        services.request_extension(
            user=request.user,
            work_item=item,
            due_on=data["due_on"],
            reason=data["reason"],
            upload=data.get("evidence"),
            expected_version=data.get("version"),
        )
        return _filed(item.due_on)

    return pages._item_action(
        request,
        pk,
        ExtensionRequestForm,
        "extension_form",
        act,
        lambda i: may_ask_for_item(request.user, i),
    )


@login_required
def milestone_extension(request, pk: int):
    """The node's unit asks to move its due date."""

    def act(milestone, data):
        services.request_extension(
            user=request.user,
            milestone=milestone,
            due_on=data["due_on"],
            reason=data["reason"],
            upload=data.get("evidence"),
            expected_version=data.get("version"),
        )
        return _filed(milestone.due_on)

    return pages._milestone_action(
        request,
        pk,
        ExtensionRequestForm,
        "extension_form",
        act,
        lambda m: may_ask_for_milestone(request.user, m),
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


def _decide(request, obj, detail: str, pk: int, form_name: str, page, act):
    """Validate the decision, call the service, back to the queue or the page it came from;
    that page with the form's errors (status 400) when the form or the service refuses."""
    back = "policy:request_queue" if request.POST.get("back") == "queue" else None
    if request.method != "POST":
        return redirect(detail, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            message = act(obj, data["decision"] == APPROVE, data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect(back) if back else redirect(detail, pk=pk)
    return page(pk, form_name, form)


def _item_page(request):
    def page(pk, form_name, form):
        states = pages._states_on()
        item = pages._visible_item(request, pk, with_state=states)
        context = pages._item_context(request, item, states, **{form_name: form})
        return render(request, "policy/workitem_detail.html", context, status=400)

    return page


def _milestone_page(request):
    def page(pk, form_name, form):
        milestone = pages._visible_milestone(request, pk)
        context = pages._milestone_context(request, milestone, **{form_name: form})
        return render(request, "policy/milestone_detail.html", context, status=400)

    return page


@login_required
def extension_decide(request, pk: int):
    """The office approves (the date moves) or refuses (with a comment) an extension request."""
    _office(request)
    extension = get_object_or_404(ExtensionRequest.objects.visible_to(request.user), pk=pk)

    def act(extension, approve, data):
        if approve:
            services.approve_extension(
                user=request.user,
                request=extension,
                comment=data["comment"],
                expected_version=data["version"],
            )
            return _("Extension approved: the due date moved from %(old)s to %(new)s.") % {
                "old": extension.old_due_on.isoformat(),
                "new": extension.new_due_on.isoformat(),
            }
        services.refuse_extension(
            user=request.user,
            request=extension,
            comment=data["comment"],
            expected_version=data["version"],
        )
        return _("Extension refused; the due date stays %(due)s.") % {
            "due": extension.old_due_on.isoformat()
        }

    if extension.work_item_id is not None:
        detail, target, page = "policy:workitem_detail", extension.work_item_id, _item_page(request)
    else:
        detail, target = "policy:milestone_detail", extension.milestone_id
        page = _milestone_page(request)
    return _decide(request, extension, detail, target, "extension_decision_form", page, act)


@login_required
def closing_decide(request, pk: int):
    """The office confirms (销号) or returns (with a comment) a unit's "done"."""
    _office(request)
    closing = get_object_or_404(
        CloseRequest.objects.visible_to(request.user).select_related("work_item"), pk=pk
    )

    def act(closing, approve, data):
        code = closing.work_item.code
        if approve:
            services.confirm_closing(
                user=request.user,
                request=closing,
                comment=data["comment"],
                expected_version=data["version"],
            )
            return _("Work item %(code)s closed (销号), done on %(day)s.") % {
                "code": code,
                "day": closing.done_on.isoformat(),
            }
        services.return_closing(
            user=request.user,
            request=closing,
            comment=data["comment"],
            expected_version=data["version"],
        )
        return _("Closing of %(code)s returned to the unit.") % {"code": code}

    return _decide(
        request,
        closing,
        "policy:workitem_detail",
        closing.work_item_id,
        "closing_decision_form",
        _item_page(request),
        act,
    )


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
