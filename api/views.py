"""The API tokens page: a person creates and revokes their own tokens; a new token's secret is
shown once, on the page that created it. The REST API itself is in api.py."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.permissions import BUSINESS_ROLES, role_of
from common.validation import refuse_control_characters

from . import services
from .models import ApiToken

DEFAULT_DAYS = 90


def _business_only(user) -> None:
    if role_of(user) not in BUSINESS_ROLES:
        raise PermissionDenied


@login_required
def token_list(request):
    _business_only(request.user)
    created = secret = None
    errors: list[str] = []
    name, days = "", str(DEFAULT_DAYS)
    if request.method == "POST":
        name = request.POST.get("name", "")[:200]
        days = request.POST.get("days", "")[:10]
        if not (days.isascii() and days.isdigit()):
            errors.append(_("The number of days must be a whole number."))
        else:
            try:
                refuse_control_characters(name)  # a text read without a form
                created, secret = services.create_token(
                    user=request.user, name=name, days=int(days)
                )
                name, days = "", str(DEFAULT_DAYS)
            except ValidationError as exc:
                errors.extend(exc.messages)
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(
        request,
        "api/tokens.html",
        {
            "tokens": tokens,
            "now": timezone.now(),
            "created": created,
            "secret": secret,
            "errors": errors,
            "name": name,
            "days": days,
            "max_days": services.MAX_DAYS,
        },
        status=400 if errors else 200,
    )
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    _business_only(request.user)
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(user=request.user, token=token)
    return redirect("api_tokens:token_list")
