"""Password rules of MLPS 2.0 level 3: length, character kinds, no reuse of recent passwords."""

import re

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARACTER_KINDS = [
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"[0-9]"),
    re.compile(r"[^a-zA-Z0-9]"),
]


class CharacterKindsValidator:
    """At least `min_kinds` of: lower case, upper case, digits, other characters."""

    def __init__(self, min_kinds: int = 3):
        self.min_kinds = min_kinds

    def validate(self, password: str, user=None) -> None:
        if sum(1 for kind in CHARACTER_KINDS if kind.search(password)) < self.min_kinds:
            raise ValidationError(self.get_help_text(), code="password_character_kinds")

    def get_help_text(self) -> str:
        return _(
            "Use at least %(n)s of these: lower-case letters, upper-case letters, digits, symbols."
        ) % {"n": self.min_kinds}


class PasswordHistoryValidator:
    """Not the same as the current password or any of the last `keep` ones."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password: str, user=None) -> None:
        if user is None or not user.pk:
            return
        previous = [user.password] if user.password else []
        previous += list(user.password_history.values_list("password", flat=True)[: self.keep])
        if any(check_password(password, encoded) for encoded in previous):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self) -> str:
        return _("Do not reuse any of your last %(n)s passwords.") % {"n": self.keep}
