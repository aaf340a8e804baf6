import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import record

from . import services

# Pages a person must still reach when their password has to change first.
_ALWAYS_ALLOWED = ("accounts:password_change", "accounts:logout", "set_language")


class LoginPolicyMiddleware:
    """Session idle and absolute time-outs, and the forced password change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request)
            if expired:
                record("accounts.session.expired", user, after={"why": expired}, user=user)
                logout(request)
                messages.info(request, _("Your session has expired. Please log in again."))
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if not request.path.startswith(settings.STATIC_URL) and self._must_change(request):
                return redirect("accounts:password_change")
        return self.get_response(request)

    def _expired(self, request) -> str | None:
        now = time.time()
        session = request.session
        started = session.setdefault("luoshi_login_at", now)
        last = session.get("luoshi_last_seen", now)
        if now - last > settings.SESSION_IDLE_SECONDS:
            return "idle"
        if now - started > settings.SESSION_ABSOLUTE_SECONDS:
            return "absolute"
        if now - last > 30 or "luoshi_last_seen" not in session:
            session["luoshi_last_seen"] = now  # write the session at most every 30 s
        return None

    def _must_change(self, request) -> bool:
        match = request.resolver_match
        if match is None:
            from django.urls import resolve

            try:
                match = resolve(request.path_info)
            except Exception:
                return False
        if match.view_name in _ALWAYS_ALLOWED:
            return False
        # Checked once per login session: a reset by an administrator applies from the next login.
        if request.session.get("luoshi_password_ok"):
            return False
        if services.needs_password_change(request.user):
            return True
        request.session["luoshi_password_ok"] = True
        return False
