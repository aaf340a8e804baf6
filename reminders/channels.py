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
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage

TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    """A channel refused or could not be reached; the message says why (kept on the Delivery)."""


def absolute_url(url: str) -> str:
    """Links in messages leaving the app need the site's address (LUOSHI_BASE_URL)."""
    base = getattr(settings, "LUOSHI_BASE_URL", "")
    if not url or url.startswith(("http://", "https://")) or not base:
        return url
    return base.rstrip("/") + url


def send_email(address: str, subject: str, body: str, url: str = "") -> None:
    link = absolute_url(url)
    text = body + (f"\n\n{link}" if link else "")
    message = EmailMessage(subject=f"【催办】{subject}", body=text, to=[address])
    try:
        sent = message.send(fail_silently=False)
    except Exception as exc:  # SMTP, socket and TLS errors have no common base worth naming
        raise ChannelError(f"SMTP: {type(exc).__name__}: {exc}"[:500]) from exc
    if sent != 1:
        raise ChannelError("SMTP: the server accepted no message")


def markdown_text(subject: str, body: str, url: str = "") -> str:
    link = absolute_url(url)
    lines = [f"### 【催办】{subject}", "", body]
    if link:
        lines += ["", f"[查看详情]({link})"]
    return "\n".join(lines)


def wecom_payload(subject: str, body: str, url: str = "") -> dict:
    return {"msgtype": "markdown", "markdown": {"content": markdown_text(subject, body, url)}}


def dingtalk_payload(subject: str, body: str, url: str = "") -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {"title": f"【催办】{subject}", "text": markdown_text(subject, body, url)},
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
    """POST `payload`; the robot's answer must be JSON with errcode 0."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"{type(exc).__name__}: {reason}"[:500]) from exc
    try:
        result = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ChannelError("the robot did not answer JSON") from exc
    if not isinstance(result, dict) or result.get("errcode") != 0:
        errcode = result.get("errcode") if isinstance(result, dict) else None
        errmsg = result.get("errmsg") if isinstance(result, dict) else None
        raise ChannelError(f"robot errcode {errcode}: {errmsg}"[:500])


def send_wecom(webhook: str, subject: str, body: str, url: str = "") -> None:
    post_json(webhook, wecom_payload(subject, body, url))


def send_dingtalk(webhook: str, secret: str, subject: str, body: str, url: str = "") -> None:
    post_json(dingtalk_url(webhook, secret), dingtalk_payload(subject, body, url))
