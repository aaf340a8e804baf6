"""A small JSON API over the same services and scoping as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.dates import DateError, parse_date
from common.money import AmountError, parse_amount
from common.permissions import BUSINESS_ROLES, UNIT_ROLES, role_of
from common.validation import InputError, check_plain_values, parse_json_object
from funding import services
from funding.figures import FiguresEncoder
from funding.models import Channel, Project
from org.models import Unit
from reporting.figures import figures_for
from reporting.period import PeriodError, parse_period


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def api_login_required(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _error(_("Log in first."), status=401)
        if role_of(request.user) not in BUSINESS_ROLES:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_POST
@api_login_required
def receipt_create(request):
    """Record money secured: {"amount": "1.2亿", "received_on": "2024-06-30", "doc_no": …}."""
    try:
        if request.content_type == "application/json":
            data = check_plain_values(parse_json_object(request.body))
        else:
            data = request.POST
    except InputError as exc:
        return _error(str(exc))
    if role_of(request.user) in UNIT_ROLES:
        unit = request.user.membership.unit
    else:
        unit = get_object_or_404(
            Unit.objects.visible_to(request.user, "change"), code=data.get("unit", "")
        )
    try:
        amount = parse_amount(data.get("amount"))
        received_on = parse_date(data.get("received_on"))
    except (AmountError, DateError) as exc:
        return _error(str(exc))
    project = channel = None
    if data.get("project"):
        project = get_object_or_404(Project.objects.visible_to(request.user), code=data["project"])
    if data.get("channel"):
        channel = get_object_or_404(Channel, name=data["channel"])
    try:
        receipt, created = services.record_receipt(
            user=request.user,
            unit=unit,
            amount=amount,
            received_on=received_on,
            doc_no=str(data.get("doc_no", ""))[:100],
            project=project,
            channel=channel,
        )
    except ValidationError as exc:
        return _error(" ".join(exc.messages))
    return JsonResponse(
        {"id": receipt.pk, "created": created, "unit": unit.code, "amount_yuan": receipt.amount},
        status=201 if created else 200,
    )


@require_GET
@api_login_required
def summary(request):
    """The figures of design §5 (`luoshi summary --format json`), exactly what the same user's
    pages show: the whole league for the office and leaders, a unit's own line for a unit."""
    try:
        period = parse_period(
            request.GET.get("year"), request.GET.get("as_of"), request.GET.get("mode")
        )
    except PeriodError as exc:
        return _error(str(exc))
    figures = figures_for(request.user, period).as_json()
    return JsonResponse(figures, encoder=FiguresEncoder, json_dumps_params={"ensure_ascii": False})
