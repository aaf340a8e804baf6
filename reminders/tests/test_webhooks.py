"""Robot webhooks cannot be turned against the network (design §11): allow-listed hosts over
https at save (no DNS), the resolved address checked again before connecting at every send,
no redirects, errors in plain words. Only loopback servers the tests start are connected to;
private and link-local resolutions are tested with the resolver replaced."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from org.tests.factories import UnitFactory
from reminders import channels, services, webhooks
from reminders.models import RobotKind

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=abc"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/internal/admin",
        "https://127.0.0.1/cgi-bin/webhook/send?key=x",
        "http://[::1]:8080/",
        "https://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/robot/send",
        "https://intranet.example.gov.cn/robot/send",
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",  # not https
        "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send",
        "https://evil.example/?h=qyapi.weixin.qq.com",
        "https://admin:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send",
        "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send",
        "ftp://oapi.dingtalk.com/robot/send",
        "https://oapi.dingtalk.com\r\nX: y/robot/send",
    ],
)
def test_anything_but_the_allowed_hosts_over_https_is_refused_at_save(url, settings):
    settings.LUOSHI_ROBOT_HOSTS = []
    with pytest.raises(ValidationError) as refused:
        webhooks.check_webhook(url)
    assert refused.value.code == "webhook"


def test_the_real_services_and_an_administrators_host_are_accepted(settings):
    settings.LUOSHI_ROBOT_HOSTS = []
    webhooks.check_webhook(WECOM)
    webhooks.check_webhook(DINGTALK)
    webhooks.check_webhook("https://qyapi.weixin.qq.com:443/cgi-bin/webhook/send?key=x")
    with pytest.raises(ValidationError):
        webhooks.check_webhook("https://wecom.gov.internal/cgi-bin/webhook/send?key=x")
    settings.LUOSHI_ROBOT_HOSTS = ["wecom.gov.internal", "http://10.1.2.3:8080"]
    webhooks.check_webhook("https://wecom.gov.internal/cgi-bin/webhook/send?key=x")
    webhooks.check_webhook("http://10.1.2.3:8080/robot/send")
    with pytest.raises(ValidationError):  # https only, unless named with http://
        webhooks.check_webhook("http://wecom.gov.internal/cgi-bin/webhook/send?key=x")
    with pytest.raises(ValidationError):  # another port than the one named
        webhooks.check_webhook("http://10.1.2.3:9090/robot/send")


@pytest.mark.django_db
def test_the_service_refuses_a_loopback_robot_and_the_form_says_why(client, people, settings):
    settings.LUOSHI_ROBOT_HOSTS = []
    cast, zjj = people, people["unit"]
    with pytest.raises(ValidationError):
        services.save_robot(
            user=None, unit=zjj, kind=RobotKind.WECOM, webhook="http://127.0.0.1:9/x"
        )
    client.force_login(cast["office"])
    response = client.post(
        "/reminders/robots/",
        {"unit": UnitFactory().pk, "kind": "wecom", "webhook": "http://[::1]:9/"},
    )
    assert response.status_code == 200
    assert "qyapi.weixin.qq.com" in str(response.context["form"].errors)


class _NoConnection:
    """socket.socket replaced: connecting would fail the test."""

    attempts: list = []

    def __init__(self, *args, **kwargs):
        raise AssertionError("a connection was attempted")


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "192.168.1.1",
        "172.16.0.1",
        "169.254.169.254",
        "127.0.0.1",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
    ],
)
def test_a_default_host_resolving_to_an_internal_address_is_refused_before_connecting(
    monkeypatch, settings, address
):
    settings.LUOSHI_ROBOT_HOSTS = []
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sockaddr = (address, 443, 0, 0) if family == socket.AF_INET6 else (address, 443)

    def fake_getaddrinfo(host, port, *args, **kwargs):
        assert host == "qyapi.weixin.qq.com"
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(socket, "socket", _NoConnection)
    with pytest.raises(channels.ChannelError, match="内部地址|internal address"):
        channels.post_json(WECOM, {"msgtype": "text"})


def test_one_internal_address_among_public_ones_is_enough_to_refuse(monkeypatch, settings):
    settings.LUOSHI_ROBOT_HOSTS = []
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("101.226.1.1", 443)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.0.9", 443)),
        ],
    )
    monkeypatch.setattr(socket, "socket", _NoConnection)
    with pytest.raises(channels.ChannelError):
        channels.post_json(DINGTALK, {"msgtype": "text"})


def test_a_webhook_no_longer_allowed_is_refused_at_send(settings, monkeypatch):
    settings.LUOSHI_ROBOT_HOSTS = []
    monkeypatch.setattr(socket, "socket", _NoConnection)
    with pytest.raises(channels.ChannelError, match="qyapi.weixin.qq.com"):
        channels.post_json("http://127.0.0.1:9/robot/send", {"msgtype": "text"})


@pytest.fixture
def redirecting():
    """A loopback server that answers every POST with a redirect to another path of its own
    and counts what reaches that path."""
    hits = {"target": 0, "posts": 0}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            hits["posts"] += 1
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/target"):
                hits["target"] += 1
            self.send_response(307)
            self.send_header("Location", "/target")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def test_a_redirect_is_not_followed_and_the_error_is_plain(settings, redirecting):
    port, hits = redirecting
    settings.LUOSHI_ROBOT_HOSTS = [f"http://127.0.0.1:{port}"]
    with pytest.raises(channels.ChannelError) as failed:
        channels.post_json(f"http://127.0.0.1:{port}/robot/send", {"msgtype": "text"})
    assert hits == {"target": 0, "posts": 1}
    assert "307" not in str(failed.value) and "HTTP" not in str(failed.value)


def test_an_administrators_host_delivers_for_real(settings, robots):
    channels.send_wecom(robots.wecom_url, "标题", "正文")
    assert [kind for kind, _payload in robots.received] == ["wecom"]
