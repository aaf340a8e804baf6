"""Where a robot's webhook may point (design §11), checked twice.

- **When saved** (`check_webhook`, no DNS): https to an allow-listed host — by default WeCom's
  `qyapi.weixin.qq.com` and DingTalk's `oapi.dingtalk.com` — or to a host the administrator
  named in `LUOSHI_ROBOT_HOSTS` (a government's private WeCom/DingTalk; a test server). No user
  name or password in the address. Anything else — `127.0.0.1`, `[::1]`, `169.254.169.254`, an
  intranet name — is refused with a message.
- **At every send** (`post`): the host is checked again (the list may have changed), then
  resolved; for the default hosts every address must be public — a loopback, private,
  link-local, shared, multicast or reserved address is refused *before connecting*. The
  connection goes to the address that was checked (no second lookup an attacker's DNS could
  answer differently), TLS still verifies the host name, and a redirect is never followed.

`LUOSHI_ROBOT_HOSTS` entries: `host`, `host:port` or `https://host[:port]` (https only), or
`http://host[:port]` (plain http too — for a test server or a private gateway on an internal
network). Those hosts are the administrator's explicit choice and may resolve to internal
addresses.
"""

import http.client
import ipaddress
import logging
import socket
import ssl
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")
MAX_ANSWER_BYTES = 65536


class WebhookRefused(Exception):
    """The address may not be used: the message says why, in plain words."""


@dataclass(frozen=True)
class Allowed:
    host: str
    port: int | None  # None: the scheme's default port
    schemes: frozenset[str]
    internal: bool  # the administrator named it: internal addresses are accepted


def _entry(text: str) -> Allowed | None:
    text = text.strip().lower()
    if not text:
        return None
    schemes = frozenset({"https"})
    if text.startswith("http://"):
        schemes, text = frozenset({"http", "https"}), text[len("http://") :]
    elif text.startswith("https://"):
        text = text[len("https://") :]
    parts = urllib.parse.urlsplit(f"//{text.rstrip('/')}")
    if not parts.hostname:
        return None
    return Allowed(host=parts.hostname, port=parts.port, schemes=schemes, internal=True)


def allowed_hosts() -> list[Allowed]:
    extra = getattr(settings, "LUOSHI_ROBOT_HOSTS", []) or []
    if isinstance(extra, str):
        extra = extra.split(",")
    named = [entry for entry in map(_entry, extra) if entry is not None]
    defaults = [Allowed(host, None, frozenset({"https"}), False) for host in DEFAULT_HOSTS]
    return named + defaults


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent
    internal: bool


def _target(url: str) -> Target:
    """The checked parts of `url`, or WebhookRefused."""
    try:
        parts = urllib.parse.urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise WebhookRefused(_("The webhook is not a valid address.")) from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("http", "https") or not host:
        raise WebhookRefused(_("The webhook must be an https address."))
    if parts.username is not None or parts.password is not None:
        raise WebhookRefused(_("The webhook may not carry a user name or password."))
    if any(ord(ch) < 33 for ch in url.strip()):
        raise WebhookRefused(_("The webhook is not a valid address."))
    for allowed in allowed_hosts():
        if host != allowed.host or (allowed.port is not None and port != allowed.port):
            continue
        if scheme not in allowed.schemes:
            raise WebhookRefused(_("The webhook must be an https address."))
        if allowed.port is None and port not in (None, 443 if scheme == "https" else 80):
            continue
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        return Target(
            scheme=scheme,
            host=host,
            port=port or (443 if scheme == "https" else 80),
            path=path,
            internal=allowed.internal,
        )
    raise WebhookRefused(
        _(
            "Robots may only send to WeCom (qyapi.weixin.qq.com) or DingTalk "
            "(oapi.dingtalk.com) over https; %(host)s is not on the list. A private "
            "deployment's host is added by the administrator (LUOSHI_ROBOT_HOSTS)."
        )
        % {"host": host[:80]}
    )


def check_webhook(url: str) -> None:
    """At save: the host is on the list and the scheme allowed (no DNS). ValidationError."""
    try:
        _target(url)
    except WebhookRefused as exc:
        raise ValidationError(str(exc), code="webhook") from None


def is_public(address: str) -> bool:
    """A public unicast address (not loopback, private, link-local, shared, reserved…)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(target: Target) -> list[tuple]:
    """The addresses to connect to; for a default host, refused unless all are public."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        logger.warning("robot host %s did not resolve: %r", target.host, exc)
        raise WebhookRefused(_("The robot's host name could not be resolved.")) from None
    if not infos:
        raise WebhookRefused(_("The robot's host name could not be resolved."))
    if not target.internal and not all(is_public(info[4][0]) for info in infos):
        logger.warning(
            "robot host %s resolved to a non-public address %s: refused",
            target.host,
            [info[4][0] for info in infos],
        )
        raise WebhookRefused(
            _("The robot's host resolved to an internal address: refused, nothing was sent.")
        )
    return infos


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to by then."""

    def __init__(self, *args, address: tuple, family: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._address, self._family = address, family

    def connect(self):
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._address)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._context = ssl.create_default_context()

    def connect(self):
        super().connect()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, bytes]:
    """POST `body` to an allowed webhook: (status, the first 64 KB of the answer). A redirect
    is an answer like any other (3xx), never followed. WebhookRefused before any connection
    when the address is not allowed; OSError/HTTPException when the connection fails."""
    target = _target(url)
    infos = resolve(target)
    family, _type, _proto, _name, address = infos[0]
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = cls(target.host, target.port, timeout=timeout, address=address, family=family)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(MAX_ANSWER_BYTES)
    finally:
        connection.close()
