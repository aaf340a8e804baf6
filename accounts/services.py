"""Login protection: lockout, password policy, two-factor; every decision audited."""

import datetime as dt

import pyotp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from audit.services import record
from common.permissions import ADMIN_ROLES, Role, role_of
from common.services import require

from .models import LoginState, PasswordHistory

User = get_user_model()


def state_for(user) -> LoginState:
    """The person's login state, created on first use (writes: call it from a write path)."""
    state, _created = LoginState.objects.get_or_create(user=user)
    return state


def read_state(user) -> LoginState:
    """The person's login state for reading; an unsaved default when there is none yet, so a
    page view (GET) never writes one."""
    return LoginState.objects.filter(user=user).first() or LoginState(user=user)


def is_locked(state: LoginState, now: dt.datetime | None = None) -> bool:
    return state.locked_until is not None and state.locked_until > (now or timezone.now())


@transaction.atomic
def check_credentials(username: str, password: str):
    """The user when the password is right and the account may log in, else None.

    Every failure looks the same to the caller (no hint whether the account exists, is
    locked or inactive); each is audited, and too many lock the account.
    """
    user = User.objects.filter(username=username).first()
    if user is None:
        record(
            "accounts.login.failed",
            None,
            success=False,
            object_type="auth.user",
            object_repr=username[:150],
            after={"reason": "unknown user"},
        )
        return None
    state = LoginState.objects.select_for_update().get_or_create(user=user)[0]
    reason = None
    if is_locked(state):
        reason = "locked"
    elif not user.check_password(password):
        reason = "wrong password"
    elif not user.is_active:
        reason = "inactive"
    elif state.is_demo and not settings.LUOSHI_DEMO:
        reason = "demo account outside demo mode"
    if reason is None:
        return user
    register_failure(user, state, reason)
    return None


def register_failure(user, state: LoginState, reason: str) -> None:
    if reason != "locked":
        state.failed_attempts += 1
        if state.failed_attempts >= settings.LOGIN_MAX_FAILURES:
            state.locked_until = timezone.now() + dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
            state.failed_attempts = 0
            record(
                "accounts.login.locked",
                user,
                success=False,
                after={"until": state.locked_until.isoformat()},
                user=user,
            )
        state.save(update_fields=["failed_attempts", "locked_until"])
    record("accounts.login.failed", user, success=False, after={"reason": reason}, user=user)


@transaction.atomic
def record_login(user) -> None:
    state = state_for(user)
    state.failed_attempts = 0
    state.save(update_fields=["failed_attempts"])
    record("accounts.login.succeeded", user, user=user)


def needs_password_change(user) -> bool:
    state = read_state(user)
    if state.must_change_password:
        return True
    if state.password_changed_at is None:
        return False
    age = timezone.now() - state.password_changed_at
    return age > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


@transaction.atomic
def change_password(*, user, new_password: str, actor=None, must_change: bool = False) -> None:
    """Set a password after the policy validators; the old hash joins the history."""
    validate_password(new_password, user)
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[settings.PASSWORD_HISTORY :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    state = state_for(user)
    state.must_change_password = must_change
    state.password_changed_at = timezone.now()
    state.save(update_fields=["must_change_password", "password_changed_at"])
    record(
        "accounts.password.changed",
        user,
        after={"forced_next_login": must_change},
        user=actor or user,
    )


def totp_required(user) -> bool:
    return role_of(user) in ADMIN_ROLES or settings.TOTP_FOR_EVERYONE


def new_totp_secret() -> str:
    """A key to enrol with; the enrolment page keeps it in the session until the first good
    code, so showing the page writes nothing."""
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name="Luoshi")


@transaction.atomic
def verify_totp(user, code: str, *, enrolling_secret: str = "") -> bool:
    """Check a one-time code; a bad code counts as a failure. While enrolling, the code is
    checked against `enrolling_secret` (the key shown) and the first good one stores it."""
    state = LoginState.objects.select_for_update().get_or_create(user=user)[0]
    if is_locked(state):
        register_failure(user, state, "locked")
        return False
    secret = state.totp_secret if state.totp_confirmed else enrolling_secret or state.totp_secret
    if not secret or not pyotp.TOTP(secret).verify(code.strip(), valid_window=1):
        register_failure(user, state, "wrong one-time code")
        return False
    if not state.totp_confirmed:
        state.totp_secret, state.totp_confirmed = secret, True
        state.save(update_fields=["totp_secret", "totp_confirmed"])
        record("accounts.totp.enrolled", user, user=user)
    return True


@transaction.atomic
def unlock(*, user, person) -> None:
    """The security administrator lifts a lockout."""
    require(role_of(user) == Role.SECURITY_ADMIN)
    state = state_for(person)
    state.locked_until, state.failed_attempts = None, 0
    state.save(update_fields=["locked_until", "failed_attempts"])
    record("accounts.login.unlocked", person, user=user)


@transaction.atomic
def reset_totp(*, user, person) -> None:
    """The security administrator resets a lost authenticator; the person enrols again."""
    require(role_of(user) == Role.SECURITY_ADMIN)
    state = state_for(person)
    state.totp_secret, state.totp_confirmed = "", False
    state.save(update_fields=["totp_secret", "totp_confirmed"])
    record("accounts.totp.reset", person, user=user)


@transaction.atomic
def mark_demo_account(person) -> None:
    """Demo logins work only while LUOSHI_DEMO is on, and are not forced to change."""
    state = state_for(person)
    state.is_demo, state.must_change_password = True, False
    state.password_changed_at = timezone.now()
    state.save(update_fields=["is_demo", "must_change_password", "password_changed_at"])
    record("accounts.demo_account.marked", person)


@transaction.atomic
def set_active(*, user, person, active: bool) -> None:
    """The system administrator (de)activates a login; never their own."""
    require(role_of(user) == Role.SYSTEM_ADMIN and person.pk != user.pk)
    if person.is_active == active:
        return
    person.is_active = active
    person.save(update_fields=["is_active"])
    record(
        "accounts.person.activated" if active else "accounts.person.deactivated",
        person,
        before={"is_active": not active},
        after={"is_active": active},
        user=user,
    )


def temporary_password() -> str:
    """A random password that meets the policy; the person must change it at first login."""
    import secrets
    import string

    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{core[:5]}#{secrets.randbelow(90) + 10}{core[5:]}Aa"


@transaction.atomic
def reset_password(*, user, person) -> str:
    """The system administrator issues a temporary password; returns it to show once."""
    require(role_of(user) == Role.SYSTEM_ADMIN)
    password = temporary_password()
    change_password(user=person, new_password=password, actor=user, must_change=True)
    return password
