"""The outside channels a reminder goes out on: e-mail over SMTP, WeCom and DingTalk group robots.

Each `send_*` either returns (delivered) or raises `ChannelError` with a message for the office;
nothing here touches the database. The robot protocols:

- WeCom (企业微信群机器人): POST JSON `{"msgtype": "markdown", "markdown": {"content": …}}` to the
  webhook (`…/cgi-bin/webhook/send?key=…`); the answer `{"errcode": 0}` means delivered.
- DingTalk (钉钉自定义机器人, 加签): the webhook (`…/robot/send?access_token=…`) gets
  `timestamp` (milliseconds) and `sign` =
  urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")));
  POST JSON `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`;
  `{"errcode": 0}` is success.
"""

import base64
import hashlib
import hmac
import http.client
import json
import logging
import smtplib
import time
import urllib.parse

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from . import webhooks

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    """A channel refused or could not be reached. The message is in plain words for the office
    (kept on the Delivery, shown on the reminders page): never an exception's text or what the
    remote answered — those go to the log only."""


def header_text(text: str) -> str:
    """A subject as one header line: line breaks (a work item title pasted with CRLF) and other
    control characters folded into spaces, so the message is sent instead of refused for ever."""
    cleaned = "".join(" " if ord(ch) < 32 or ch == "\x7f" else ch for ch in text)
    return " ".join(cleaned.split())  # also folds U+2028, U+0085 and runs of spaces


def absolute_url(url: str) -> str:
    """Links in messages leaving the app need the site's address (LUOSHI_BASE_URL)."""
    base = getattr(settings, "LUOSHI_BASE_URL", "")
    if not url or url.startswith(("http://", "https://")) or not base:
        return url
    return base.rstrip("/") + url


def send_email(
    address: str, subject: str, body: str, url: str = "", prefix: str = "【催办】"
) -> None:
    link = absolute_url(url)
    text = body + (f"\n\n{_('Acknowledge and open')}: {link}" if link else "")
    if header_text(address) != address or "@" not in address:
        raise ChannelError(_("The e-mail address is not valid: correct it on the person's page."))
    message = EmailMessage(subject=header_text(f"{prefix}{subject}"), body=text, to=[address])
    try:
        sent = message.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        logger.warning("SMTP refused %s: %r", address, exc)
        raise ChannelError(_("The mail server refused the address.")) from exc
    except smtplib.SMTPAuthenticationError as exc:
        logger.warning("SMTP login refused: %r", exc)
        raise ChannelError(_("The mail server refused Luoshi's login.")) from exc
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("SMTP failed for %s: %r", address, exc)
        raise ChannelError(_("The mail server could not be reached.")) from exc
    except Exception as exc:  # a message Django cannot build: said plainly, logged in full
        logger.exception("e-mail to %s could not be built", address)
        raise ChannelError(_("The e-mail could not be built.")) from exc
    if sent != 1:
        raise ChannelError(_("The mail server accepted no message."))


def markdown_text(subject: str, body: str, url: str = "") -> str:
    link = absolute_url(url)
    lines = [f"### 【催办】{subject}", "", body]
    if link:
        lines += ["", f"[{_('Acknowledge and open')}]({link})"]
    return "\n".join(lines)


def wecom_payload(subject: str, body: str, url: str = "") -> dict:
    return {"msgtype": "markdown", "markdown": {"content": markdown_text(subject, body, url)}}


def dingtalk_payload(subject: str, body: str, url: str = "") -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": header_text(f"【催办】{subject}"),
            "text": markdown_text(subject, body, url),
        },
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature, before URL encoding: base64(HMAC-SHA256 of "timestamp\\nsecret")."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(webhook: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook with `timestamp` and the URL-encoded `sign` appended (when signing)."""
    if not secret:
        return webhook
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp_ms))
    joiner = "&" if "?" in webhook else "?"
    return f"{webhook}{joiner}timestamp={timestamp_ms}&sign={sign}"


def post_json(url: str, payload: dict) -> None:
    """POST `payload` to an allowed webhook (reminders.webhooks); the robot's answer must be
    JSON with errcode 0."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    # One plain message for every failure past our own checks: what the remote answered (or
    # that nothing listens) is logged, never stored, so the reminders page cannot be used
    # to probe the network.
    failed = _("The robot did not accept the message; it will be tried again on the next run.")
    try:
        status, answer = webhooks.post(url, data, headers, TIMEOUT_SECONDS)
    except webhooks.WebhookRefused as exc:
        raise ChannelError(str(exc)) from exc
    except (OSError, http.client.HTTPException) as exc:
        logger.warning("robot POST failed: %r", exc)
        raise ChannelError(failed) from exc
    if status != 200:
        logger.warning("robot answered HTTP %s", status)
        raise ChannelError(failed)
    try:
        result = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        logger.warning("robot answered something other than JSON")
        raise ChannelError(failed) from exc
    if not isinstance(result, dict) or result.get("errcode") != 0:
        logger.warning("robot refused the message: %r", str(result)[:300])
        raise ChannelError(failed)


def send_wecom(webhook: str, subject: str, body: str, url: str = "") -> None:
    post_json(webhook, wecom_payload(subject, body, url))


def send_dingtalk(webhook: str, secret: str, subject: str, body: str, url: str = "") -> None:
    post_json(dingtalk_url(webhook, secret), dingtalk_payload(subject, body, url))
