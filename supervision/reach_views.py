"""Pages of reach and response (design §11): the effect of urging (催办效果) and the leaders'
phone-first digest. Thin: the figures come from `supervision.effect` and
`supervision.digest`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from common.percent import rate_text, whole_percent
from common.permissions import Role, role_of
from common.validation import parse_date_param, parse_int, query_value
from org.models import Leader, Unit
from org.period import office_period, period_from_query
from reminders.models import Channel

from .digest import digest_for
from .effect import LEVEL_HEAD, LEVEL_LEADER, LEVEL_UNIT, effect_for


@login_required
def effect(request: HttpRequest) -> HttpResponse:
    """催办效果 by unit, channel and escalation level (the office: every unit; a leader: the
    units they oversee)."""
    role = role_of(request.user)
    if role not in (Role.OFFICE, Role.LEADER):
        raise PermissionDenied
    period, error = period_from_query(request.GET)
    if error:
        messages.error(request, error)
    unit_ids = None
    if role != Role.OFFICE:
        unit_ids = list(Unit.objects.visible_to(request.user).values_list("pk", flat=True))
    result = effect_for(period.year, period.as_of, unit_ids)
    level_labels = {
        LEVEL_UNIT: _("To the unit"),
        LEVEL_HEAD: _("Escalated to the unit head"),
        LEVEL_LEADER: _("Escalated to the overseeing leader"),
    }
    groups = [
        (
            _("By delivery channel"),
            [(Channel(c).label, s) for c, s in sorted(result.by_channel.items())],
        ),
        (
            _("By escalation level"),
            [(level_labels[level], s) for level, s in result.by_level.items()],
        ),
    ]
    chart = {
        "units": [
            {
                "name": unit.name,
                "median": s.median_workdays,
                "quick": whole_percent(s.quick_share),
            }
            for unit, s in result.units
        ],
        "labels": {
            "median": _("Median working days to the next update"),
            "quick": _("Answered within 2 working days (%)"),
        },
    }
    return render(
        request,
        "supervision/effect.html",
        {
            "period": period,
            "effect": result,
            "groups": groups,
            "chart": chart,
            "quick_share": rate_text(result.total.quick_share),
        },
    )


@login_required
def digest(request: HttpRequest) -> HttpResponse:
    """The leader's weekly digest on a phone: one column, large figures (the office may open
    any leader's with ?leader=)."""
    role = role_of(request.user)
    if role == Role.LEADER:
        leader = getattr(request.user, "leader", None)
        if leader is None:
            raise PermissionDenied
    elif role == Role.OFFICE:
        leader_id, error = query_value(
            request.GET, "leader", lambda raw: parse_int(raw, minimum=1, name=_("Leader"))
        )
        if error:
            messages.error(request, error)
        leaders = Leader.objects.order_by("sort_order", "name")
        leader = leaders.filter(pk=leader_id).first() if leader_id else None
        leader = leader or leaders.first()
        if leader is None:
            raise Http404
    else:
        raise PermissionDenied
    as_of, error = query_value(request.GET, "as_of", parse_date_param)
    if error:
        messages.error(request, error)
    result = digest_for(leader, as_of or office_period().as_of)
    return render(
        request,
        "supervision/digest.html",
        {
            "digest": result,
            "leaders": Leader.objects.order_by("sort_order", "name") if role == Role.OFFICE else [],
        },
    )
