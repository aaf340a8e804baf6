"""Real servers for the channel tests: an SMTP server (aiosmtpd) and an HTTP server playing
the WeCom and DingTalk group robots, checking each payload and DingTalk's signature."""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

WECOM_KEY = "wecom-test-key-0001"
DINGTALK_TOKEN = "dingtalk-test-token-0001"
DINGTALK_SECRET = "SECdingtalk0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """aiosmtpd on a loopback port; `messages` are the envelopes it accepted."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class RobotServer:
    """One HTTP server for both robots. `down` makes it answer 500; `received` holds the
    checked messages as (kind, payload); `rejected` what failed a check, with the reason."""

    def __init__(self):
        self.received: list[tuple[str, dict]] = []
        self.rejected: list[str] = []
        self.times: list[float] = []
        self.down = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if outer.down:
                    self.answer(500, {"errcode": -1, "errmsg": "down"})
                    return
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                try:
                    payload = json.loads(raw.decode("utf-8"))
                except ValueError:
                    outer.rejected.append("not JSON")
                    self.answer(200, {"errcode": 40001, "errmsg": "bad json"})
                    return
                problem = outer.check(url.path, query, payload, self.headers)
                if problem:
                    outer.rejected.append(problem)
                    self.answer(200, {"errcode": 310000, "errmsg": problem})
                    return
                outer.received.append((url.path.strip("/").split("/")[0], payload))
                outer.times.append(time.monotonic())
                self.answer(200, {"errcode": 0, "errmsg": "ok"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def wecom_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/wecom/cgi-bin/webhook/send?key={WECOM_KEY}"

    @property
    def dingtalk_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/dingtalk/robot/send?access_token={DINGTALK_TOKEN}"

    def check(self, path: str, query: dict, payload: dict, headers) -> str:
        if "application/json" not in (headers.get("Content-Type") or ""):
            return "content type"
        if path.startswith("/wecom/"):
            if query.get("key") != [WECOM_KEY]:
                return "wecom key"
            content = (payload.get("markdown") or {}).get("content")
            if payload.get("msgtype") != "markdown" or not content:
                return "wecom payload"
            return ""
        if path.startswith("/dingtalk/"):
            if query.get("access_token") != [DINGTALK_TOKEN]:
                return "dingtalk token"
            timestamp = (query.get("timestamp") or [""])[0]
            sign = (query.get("sign") or [""])[0]
            if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
                return "dingtalk timestamp"
            expected = base64.b64encode(
                hmac.new(
                    DINGTALK_SECRET.encode(),
                    f"{timestamp}\n{DINGTALK_SECRET}".encode(),
                    hashlib.sha256,
                ).digest()
            ).decode()
            if not hmac.compare_digest(sign, expected):
                return "dingtalk sign"
            markdown = payload.get("markdown") or {}
            if payload.get("msgtype") != "markdown" or not markdown.get("title"):
                return "dingtalk payload"
            if not markdown.get("text"):
                return "dingtalk payload"
            return ""
        return "unknown path"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
