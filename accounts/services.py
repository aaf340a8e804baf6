"""Login protection (lockout, password policy, two-factor) and the separation of the three
administrators' duties over accounts (三员分立); every decision audited."""

import datetime as dt
import logging

import pyotp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.services import record
from common.permissions import ADMIN_ROLES, Role, role_of
from common.services import require

from .crypto import SecretUnreadable, decrypt_secret, encrypt_secret
from .models import AccountRequest, LoginState, PasswordHistory

logger = logging.getLogger(__name__)

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


_DUMMY_HASH: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash made by the current default hasher at its current cost, of a password nobody
    knows: checking it costs what checking a real one does."""
    from django.contrib.auth.hashers import get_hasher, make_password

    hasher = get_hasher()
    key = ":".join(
        str(part) for part in (hasher.algorithm, getattr(hasher, "time_cost", ""), hasher.__class__)
    )
    if key not in _DUMMY_HASH:
        import secrets

        _DUMMY_HASH[key] = make_password(secrets.token_urlsafe(24))
    return _DUMMY_HASH[key]


def _password_matches(user, password: str) -> bool:
    """Run the password hasher exactly once, whoever asks: an unknown, locked, inactive or
    unusable account costs the same time as a known one, so the answer time tells nothing."""
    from django.contrib.auth.hashers import check_password

    if user is None or not user.has_usable_password():
        check_password(password, _dummy_hash())
        return False
    return user.check_password(password)


@transaction.atomic
def check_credentials(username: str, password: str):
    """The user when the password is right and the account may log in, else None.

    Every failure looks the same to the caller (no hint whether the account exists, is
    locked or inactive), and takes the same time: the password hasher runs once for every
    attempt (`_password_matches`); each is audited, and too many lock the account.
    """
    user = User.objects.filter(username=username).first()
    matches = _password_matches(user, password)
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
    elif not matches:
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
    stored = stored_totp_secret(state)
    secret = stored if state.totp_confirmed else enrolling_secret or stored
    step = _matching_step(secret, code.strip()) if secret else None
    if step is None:
        register_failure(user, state, "wrong one-time code")
        return False
    if state.totp_last_step is not None and step <= state.totp_last_step:
        # a code already used (or older than one used): a replay, seen over a shoulder or
        # taken from the wire, never logs in a second time
        register_failure(user, state, "one-time code replayed")
        return False
    state.totp_last_step = step
    fields = ["totp_last_step"]
    if not state.totp_confirmed:
        state.totp_secret, state.totp_confirmed = encrypt_secret(secret), True
        fields += ["totp_secret", "totp_confirmed"]
        record("accounts.totp.enrolled", user, user=user)
    state.save(update_fields=fields)
    return True


def stored_totp_secret(state: LoginState) -> str:
    """A person's TOTP secret, decrypted ("" for none). One this installation's key does not
    open (another key, or a value written into the database by hand) counts as none: the
    code is refused, and the error is logged for the operator."""
    try:
        return decrypt_secret(state.totp_secret)
    except SecretUnreadable as exc:
        logger.error("two-factor secret of user %s unreadable: %s", state.user_id, exc)
        return ""


def _matching_step(secret: str, code: str) -> int | None:
    """The 30-second step (counter) whose code this is, within one step of now, else None."""
    import hmac
    import time

    totp = pyotp.TOTP(secret)
    now = int(time.time())
    for offset in (0, -1, 1):
        step = totp.timecode(now) + offset
        if code.isascii() and code.isdigit() and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def unlock(*, user, person) -> None:
    """The security administrator lifts a lockout (not their own)."""
    require(role_of(user) == Role.SECURITY_ADMIN)
    _not_own(user, person)
    state = state_for(person)
    state.locked_until, state.failed_attempts = None, 0
    state.save(update_fields=["locked_until", "failed_attempts"])
    record("accounts.login.unlocked", person, user=user)


@transaction.atomic
def reset_totp(*, user, person) -> None:
    """The security administrator resets a lost authenticator; the person enrols again
    (not their own)."""
    require(role_of(user) == Role.SECURITY_ADMIN)
    _not_own(user, person)
    state = state_for(person)
    state.totp_secret, state.totp_confirmed, state.totp_last_step = "", False, None
    state.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
    record("accounts.totp.reset", person, user=user)


@transaction.atomic
def mark_demo_account(person) -> None:
    """Demo logins work only while LUOSHI_DEMO is on, and are not forced to change."""
    state = state_for(person)
    state.is_demo, state.must_change_password = True, False
    state.password_changed_at = timezone.now()
    state.save(update_fields=["is_demo", "must_change_password", "password_changed_at"])
    record("accounts.demo_account.marked", person)


def temporary_password() -> str:
    """A random password that meets the policy; the person must change it at first login."""
    import secrets
    import string

    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{core[:5]}#{secrets.randbelow(90) + 10}{core[5:]}Aa"


# --- 三员分立: the system administrator asks, the security administrator decides ---------
#
# GB/T 22239-2019 level 3 (访问控制): the system administrator creates and disables accounts;
# the security administrator grants roles, activates accounts and issues passwords; the audit
# administrator reads the trail. No one of them alone can make a login that works with a role,
# learn another person's password without the other's request, or administer their own account.


def _not_own(user, person) -> None:
    """Nobody administers their own account."""
    require(person.pk != user.pk)


@transaction.atomic
def request_person(
    *, user, username: str, full_name: str, role: str, unit=None, leader=None
) -> AccountRequest:
    """The system administrator creates an account: inactive, with no role and no usable
    password, and asks the security administrator to grant `role` (with its unit or leader)."""
    require(role_of(user) == Role.SYSTEM_ADMIN)
    person = User(username=username, first_name=full_name, is_active=False)
    person.set_unusable_password()
    person.save()
    LoginState.objects.create(user=person, must_change_password=True)
    request = AccountRequest.objects.create(
        person=person,
        kind=AccountRequest.Kind.CREATE,
        role=role,
        unit=unit,
        leader=leader,
        requested_by=user,
    )
    record(
        "accounts.person.requested",
        person,
        after={
            "username": username,
            "role": role,
            "unit": unit.pk if unit else None,
            "leader": leader.pk if leader else None,
            "request": request.pk,
        },
        user=user,
    )
    return request


@transaction.atomic
def request_password_reset(*, user, person) -> AccountRequest:
    """The system administrator asks for a new password for someone else; the security
    administrator issues it (and sees it once, to hand over)."""
    require(role_of(user) == Role.SYSTEM_ADMIN)
    _not_own(user, person)
    pending = AccountRequest.objects.filter(
        person=person, kind=AccountRequest.Kind.RESET, state=AccountRequest.State.PENDING
    ).first()
    if pending is not None:
        return pending
    request = AccountRequest.objects.create(
        person=person, kind=AccountRequest.Kind.RESET, requested_by=user
    )
    record("accounts.password.reset_requested", person, after={"request": request.pk}, user=user)
    return request


def _pending_for_decision(user, request_id: int) -> AccountRequest:
    require(role_of(user) == Role.SECURITY_ADMIN)
    request = (
        AccountRequest.objects.select_for_update(of=("self",))
        .select_related("person", "unit", "leader")
        .get(pk=request_id, state=AccountRequest.State.PENDING)
    )
    _not_own(user, request.person)
    require(request.requested_by_id != user.pk)
    return request


@transaction.atomic
def approve_request(*, user, request_id: int) -> tuple[AccountRequest, str]:
    """The security administrator grants a new login its role and activates it, or issues a
    requested reset. Returns the request and the one-time password, to be shown to the
    security administrator once and handed to its owner, who must change it at first login.

    Raises AccountRequest.DoesNotExist when there is no such pending request."""
    from org.models import Membership

    request = _pending_for_decision(user, request_id)
    person = request.person
    if request.kind == AccountRequest.Kind.CREATE:
        Membership.objects.create(user=person, role=request.role, unit=request.unit)
        if request.leader is not None and request.leader.user_id is None:
            request.leader.user = person
            request.leader.save(update_fields=["user"])
        person.is_active = True
        person.save(update_fields=["is_active"])
    password = temporary_password()
    change_password(user=person, new_password=password, actor=user, must_change=True)
    state = state_for(person)
    state.locked_until, state.failed_attempts = None, 0
    state.save(update_fields=["locked_until", "failed_attempts"])
    request.state = AccountRequest.State.APPROVED
    request.decided_by, request.decided_at = user, timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        "accounts.request.approved",
        person,
        after={
            "request": request.pk,
            "kind": request.kind,
            "role": request.role or None,
            "unit": request.unit_id,
            "requested_by": request.requested_by_id,
            "password_issued_to": user.get_username(),
        },
        user=user,
    )
    return request, password


@transaction.atomic
def reject_request(*, user, request_id: int) -> AccountRequest:
    """The security administrator refuses a request; a refused new login stays inactive."""
    request = _pending_for_decision(user, request_id)
    request.state = AccountRequest.State.REJECTED
    request.decided_by, request.decided_at = user, timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    record(
        "accounts.request.rejected",
        request.person,
        after={"request": request.pk, "kind": request.kind},
        user=user,
    )
    return request


@transaction.atomic
def set_active(*, user, person, active: bool) -> None:
    """The system administrator deactivates a login; only the security administrator
    activates one again, and only one that already holds a granted role. Never one's own."""
    _not_own(user, person)
    if active:
        require(role_of(user) == Role.SECURITY_ADMIN and role_of(person) is not None)
    else:
        require(role_of(user) == Role.SYSTEM_ADMIN)
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


@transaction.atomic
def bootstrap_administrators(*, usernames: dict[str, str]) -> dict[str, str]:
    """The first three administrators of a new installation, one per role, each with a
    one-time password to change at first login (and two-factor to enrol). Refused as soon as
    any administrator exists: from then on accounts are made by the system administrator and
    granted by the security administrator. Returns {username: one-time password}."""
    from org.models import Membership
    from org.services import create_person

    if Membership.objects.filter(role__in=ADMIN_ROLES).exists():
        raise PermissionDenied("the administrators exist already")
    labels = {
        Role.SYSTEM_ADMIN: "系统管理员",
        Role.SECURITY_ADMIN: "安全管理员",
        Role.AUDIT_ADMIN: "审计管理员",
    }
    passwords = {}
    for role, username in usernames.items():
        require(role in ADMIN_ROLES)
        password = temporary_password()
        person = create_person(
            user=None, username=username, full_name=labels[role], role=role, password=password
        )
        state = state_for(person)
        state.must_change_password = True
        state.save(update_fields=["must_change_password"])
        passwords[username] = password
    record("accounts.administrators.bootstrapped", None, after={"usernames": usernames})
    return passwords
