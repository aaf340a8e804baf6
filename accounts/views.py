from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import record
from common.permissions import Role, role_of

from . import services
from .crypto import SecretUnreadable, decrypt_secret, encrypt_secret
from .forms import LOGIN_FAILED, LoginForm, OneTimeCodeForm, PasswordChangeForm
from .landing import landing_url_for
from .models import AccountRequest, LoginState

PENDING = "luoshi_pending_2fa"
PENDING_SECRET = "luoshi_pending_totp_secret"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return ""


def _complete_login(request, user):
    login(request, user, backend="accounts.backends.MembershipBackend")
    request.session["luoshi_login_at"] = timezone.now().timestamp()
    request.session["luoshi_last_seen"] = request.session["luoshi_login_at"]
    request.session["luoshi_password_ok"] = not services.needs_password_change(user)
    services.record_login(user)
    return redirect(_next_url(request) or "accounts:home")


def login_view(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.check_credentials(
            form.cleaned_data["username"], form.cleaned_data["password"]
        )
        if user is None:
            form.add_error(None, LOGIN_FAILED)
        elif services.totp_required(user):
            request.session[PENDING] = user.pk
            return redirect(f"{_two_factor_url()}?next={_next_url(request)}")
        else:
            return _complete_login(request, user)
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def _two_factor_url() -> str:
    from django.urls import reverse

    return reverse("accounts:two_factor")


def _pending_secret(pending: dict) -> str:
    """The enrolment key waiting in the session ("" if this installation's key does not
    open it: a new one is drawn)."""
    try:
        return decrypt_secret(str(pending.get("secret") or ""))
    except SecretUnreadable:
        return ""


def two_factor(request):
    """Second step for the administrators: a code from their authenticator app."""
    user = get_user_model().objects.filter(pk=request.session.get(PENDING)).first()
    if user is None:
        return redirect("accounts:login")
    state = services.read_state(user)
    secret = ""
    if not state.totp_confirmed:
        # the key to enrol with waits in the session: showing this page writes no login state
        # (encrypted as in the database: the session is a database row too)
        pending = request.session.get(PENDING_SECRET) or {}
        secret = services.stored_totp_secret(state) or (
            _pending_secret(pending) if pending.get("user") == user.pk else ""
        )
        if not secret:
            secret = services.new_totp_secret()
            request.session[PENDING_SECRET] = {"user": user.pk, "secret": encrypt_secret(secret)}
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_totp(user, form.cleaned_data["code"], enrolling_secret=secret):
            del request.session[PENDING]
            request.session.pop(PENDING_SECRET, None)
            return _complete_login(request, user)
        form.add_error(None, LOGIN_FAILED)
    context = {"form": form, "next": _next_url(request), "enrolling": not state.totp_confirmed}
    if not state.totp_confirmed:
        context["uri"] = services.provisioning_uri(user, secret)
        context["secret"] = secret
    return render(request, "accounts/two_factor.html", context)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record("accounts.logout", request.user, user=request.user)
    logout(request)
    return redirect("accounts:login")


@login_required
def home(request):
    """Each role lands on its own page."""
    url = landing_url_for(request.user)
    if url:
        return redirect(url)
    return render(request, "accounts/home.html")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:home")
    forced = services.needs_password_change(request.user)
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


def _security_admin(request) -> None:
    if role_of(request.user) != Role.SECURITY_ADMIN:
        raise PermissionDenied


@login_required
def security(request):
    """Locked accounts and two-factor enrolment, for the security administrator."""
    _security_admin(request)
    states = LoginState.objects.select_related("user", "user__membership").order_by(
        "user__username"
    )
    now = timezone.now()
    requests = AccountRequest.objects.filter(state=AccountRequest.State.PENDING).select_related(
        "person", "person__membership", "unit", "leader", "requested_by"
    )
    inactive = (
        get_user_model()
        .objects.filter(is_active=False, membership__isnull=False)
        .select_related("membership", "membership__unit")
        .order_by("username")
    )
    return render(
        request,
        "accounts/security.html",
        {
            "locked": [s for s in states if services.is_locked(s, now)],
            "states": states,
            "requests": requests,
            "inactive": inactive,
        },
    )


@login_required
@require_POST
def request_approve(request, pk: int):
    """Grant and activate, or issue the reset: the one-time password is shown on this
    response only (never in a message cookie, never again), for the security administrator to
    hand over."""
    _security_admin(request)
    try:
        decided, password = services.approve_request(user=request.user, request_id=pk)
    except AccountRequest.DoesNotExist:
        raise Http404 from None
    except PermissionDenied:
        messages.error(
            request,
            _("Nobody administers their own account: another security administrator decides."),
        )
        return redirect("accounts:security")
    response = render(
        request, "accounts/password_issued.html", {"decided": decided, "password": password}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def request_reject(request, pk: int):
    _security_admin(request)
    try:
        decided = services.reject_request(user=request.user, request_id=pk)
    except AccountRequest.DoesNotExist:
        raise Http404 from None
    except PermissionDenied:
        messages.error(
            request,
            _("Nobody administers their own account: another security administrator decides."),
        )
    else:
        messages.success(
            request, _("Request for %(user)s rejected.") % {"user": decided.person.username}
        )
    return redirect("accounts:security")


@login_required
@require_POST
def person_activate(request, pk: int):
    """Activate again a deactivated login that holds a granted role."""
    _security_admin(request)
    person = get_object_or_404(get_user_model(), pk=pk, membership__isnull=False)
    try:
        services.set_active(user=request.user, person=person, active=True)
    except PermissionDenied:
        messages.error(request, _("Nobody administers their own account."))
    else:
        messages.success(request, _("%(user)s is active again.") % {"user": person.username})
    return redirect("accounts:security")


@login_required
@require_POST
def unlock(request, pk: int):
    _security_admin(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    try:
        services.unlock(user=request.user, person=person)
    except PermissionDenied:
        messages.error(request, _("Nobody administers their own account."))
        return redirect("accounts:security")
    messages.success(request, _("%(user)s is unlocked.") % {"user": person.get_username()})
    return redirect("accounts:security")


@login_required
@require_POST
def reset_totp(request, pk: int):
    _security_admin(request)
    person = get_object_or_404(get_user_model(), pk=pk)
    try:
        services.reset_totp(user=request.user, person=person)
    except PermissionDenied:
        messages.error(request, _("Nobody administers their own account."))
        return redirect("accounts:security")
    messages.success(
        request,
        _("%(user)s will enrol two-factor again at the next login.")
        % {"user": person.get_username()},
    )
    return redirect("accounts:security")
