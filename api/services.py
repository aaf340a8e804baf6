"""All writes of the API app: creating and revoking API tokens (audited)."""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from common.permissions import BUSINESS_ROLES, role_of
from common.services import require

from .models import ApiToken

TOKEN_PREFIX = "lsk_"
MAX_DAYS = 365
AUDITED_FIELDS = ["user_id", "name", "prefix", "created_at", "expires_at", "revoked_at"]


def digest_of(raw: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to keep them safe at rest
    (a slow password hash would only slow every API call)."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def create_token(*, user, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for `user` (business roles only), valid `days` days; returns the token and
    its secret text, which is never stored and cannot be shown again."""
    require(role_of(user) in BUSINESS_ROLES)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(_("Give the token a name of at most 100 characters."))
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(_("A token is valid for 1 to %(max)s days.") % {"max": MAX_DAYS})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:12],
        digest=digest_of(raw),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    record("api.token.created", token, after=snapshot(token, AUDITED_FIELDS), user=user)
    return token, raw


@transaction.atomic
def revoke_token(*, user, token: ApiToken) -> ApiToken:
    """Revoke one of the person's own tokens; it stops working at once."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    require(token.user_id == user.pk)
    if token.revoked_at is not None:
        return token
    before = snapshot(token, AUDITED_FIELDS)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        "api.token.revoked",
        token,
        before=before,
        after=snapshot(token, AUDITED_FIELDS),
        user=user,
    )
    return token


def user_for_token(raw: str):
    """The active user a token belongs to, or None (unknown, revoked, expired, inactive).

    A refused token that looks like one of ours is audited (`api.token.refused`, with the
    reason and the token's prefix, never the token), like a failed login."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__membership")
        .filter(digest=digest_of(raw))
        .first()
    )
    if token is None:
        reason = "unknown"
    elif token.revoked_at is not None:
        reason = "revoked"
    elif token.expires_at <= timezone.now():
        reason = "expired"
    elif not token.user.is_active:
        reason = "inactive user"
    else:
        return token.user
    record(
        "api.token.refused",
        token,
        success=False,
        user=token.user if token is not None else None,
        object_type="api.apitoken",
        object_repr=raw[:12],
        after={"reason": reason, "prefix": raw[:12]},
    )
    return None
