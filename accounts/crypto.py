"""Two-factor (TOTP) secrets are stored encrypted under a key kept outside the database
(`settings.TOTP_KEY`: `LUOSHI_TOTP_KEY`, or `LUOSHI_DATA_DIR/totp_key`, 0600, generated once).

Whoever reads the database, or a backup of it, learns no administrator's second factor; and
whoever can write it cannot plant a secret of their own (Fernet authenticates what it
decrypts: a value not sealed with the key is refused, never used as a plain secret).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

#: marks a stored secret as encrypted (a plain base32 secret never contains ':')
PREFIX = "fernet:"


class SecretUnreadable(Exception):
    """A stored secret that this key does not open (another installation's key, or a value
    written into the database by hand)."""


def _fernet(key: str | None = None) -> Fernet:
    # Fernet wants 32 url-safe base64 bytes; the setting is any string of ≥ 32 characters
    digest = hashlib.sha256((key or settings.TOTP_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str, *, key: str | None = None) -> str:
    """The stored form of a TOTP secret ("" stays "": no secret)."""
    if not secret:
        return ""
    return PREFIX + _fernet(key).encrypt(secret.encode()).decode()


def decrypt_secret(stored: str, *, key: str | None = None) -> str:
    """The TOTP secret of a stored value ("" for none); SecretUnreadable if this key did not
    seal it."""
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise SecretUnreadable("the stored two-factor secret is not encrypted")
    try:
        return _fernet(key).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("the two-factor key does not open the stored secret") from None
