"""What a work item's or a time node's page shows of the requests: the pending ones, the
history with the office's answers, and the forms the viewer may use."""

from django.db.models import Prefetch

from common.permissions import UNIT_ROLES, Role, role_of

from ..models import Evidence, Milestone, WorkItem
from ..services import can_change_item, can_change_milestone
from .forms import CloseRequestForm, DecisionForm, ExtensionRequestForm


def may_ask_for_item(user, item: WorkItem) -> bool:
    """The lead unit's people ask (the office acts directly)."""
    return role_of(user) in UNIT_ROLES and can_change_item(user, item)


def may_ask_for_milestone(user, milestone: Milestone) -> bool:
    return role_of(user) in UNIT_ROLES and can_change_milestone(user, milestone)


def _with_people(requests):
    return requests.select_related("requested_by", "decided_by").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id"))
    )


def _decision_form(given, pending):
    return given or (DecisionForm(initial={"version": pending.version}) if pending else None)


def item_requests_context(user, item: WorkItem, as_of, forms: dict) -> dict:
    """The extension and close requests of `item`, and the forms: the lead unit asks, the
    office decides."""
    is_office = role_of(user) == Role.OFFICE
    open_item = item.done_on is None
    asks = may_ask_for_item(user, item) and open_item
    extensions = list(_with_people(item.extension_requests.all()))
    closings = list(_with_people(item.close_requests.all()))
    pending_extension = next((r for r in extensions if r.is_pending), None)
    pending_close = next((r for r in closings if r.is_pending), None)
    return {
        "extension_requests": extensions,
        "close_requests": closings,
        "pending_extension": pending_extension,
        "pending_close": pending_close,
        "extension_form": forms.get("extension_form")
        or (
            ExtensionRequestForm(initial={"version": item.version, "due_on": item.due_on})
            if asks and pending_extension is None
            else None
        ),
        "closing_form": forms.get("closing_form")
        or (
            CloseRequestForm(initial={"version": item.version, "done_on": as_of})
            if asks and pending_close is None
            else None
        ),
        "extension_decision_form": _decision_form(
            forms.get("extension_decision_form"), pending_extension if is_office else None
        ),
        "closing_decision_form": _decision_form(
            forms.get("closing_decision_form"), pending_close if is_office else None
        ),
    }


def milestone_requests_context(user, milestone: Milestone, forms: dict) -> dict:
    """The extension requests of a time node: its unit asks, the office decides."""
    is_office = role_of(user) == Role.OFFICE
    asks = may_ask_for_milestone(user, milestone) and milestone.done_on is None
    extensions = list(_with_people(milestone.extension_requests.all()))
    pending_extension = next((r for r in extensions if r.is_pending), None)
    return {
        "extension_requests": extensions,
        "close_requests": [],
        "pending_extension": pending_extension,
        "pending_close": None,
        "extension_form": forms.get("extension_form")
        or (
            ExtensionRequestForm(initial={"version": milestone.version, "due_on": milestone.due_on})
            if asks and pending_extension is None
            else None
        ),
        "closing_form": None,
        "extension_decision_form": _decision_form(
            forms.get("extension_decision_form"), pending_extension if is_office else None
        ),
        "closing_decision_form": None,
    }
