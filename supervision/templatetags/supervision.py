"""The workbench's card of dispatch rounds to answer (one include line in the workbench)."""

from django import template
from django.db.models import F
from django.utils import timezone

from common.permissions import UNIT_ROLES, role_of

register = template.Library()


@register.inclusion_tag("supervision/_workbench_dispatch.html", takes_context=True)
def dispatch_requests_card(context):
    from supervision.models import DispatchRequest

    user = context["request"].user
    if role_of(user) not in UNIT_ROLES:
        return {"dispatch_requests": []}
    today = timezone.localdate()
    requests = (
        DispatchRequest.objects.visible_to(user)
        .select_related("dispatch")
        # the ones still to answer first, then the latest rounds
        .order_by(F("reported_at").asc(nulls_first=True), "-dispatch__meeting_on")[:5]
    )
    return {"dispatch_requests": list(requests), "today": today}
