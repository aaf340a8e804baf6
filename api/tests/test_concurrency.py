"""200 receipts from 20 concurrent clients against a real server process: none lost."""

import http.cookiejar
import json
import threading
import time
import urllib.parse
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from audit.models import AuditEvent
from funding.models import Receipt

from .live import free_port, start_server, stop_server

CLIENTS, PER_CLIENT = 20, 10
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Session:
    """A browser-like client: cookies, CSRF token, session login."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def share(self, other: "Session") -> None:
        """Use another session's login (a second tab of the same browser)."""
        for cookie in other.cookies:
            self.cookies.set_cookie(cookie)

    def login(self, username: str) -> None:
        self.opener.open(f"{self.base}/login/", timeout=30).read()
        body = urllib.parse.urlencode(
            {
                "username": username,
                "password": "Luoshi@2024demo",
                "csrfmiddlewaretoken": self.csrf(),
            }
        ).encode()
        self.opener.open(
            urllib.request.Request(
                f"{self.base}/login/", data=body, headers={"Referer": f"{self.base}/login/"}
            ),
            timeout=30,
        ).read()

    def post_json(self, path: str, payload: dict) -> int:
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.csrf(),
                "Referer": f"{self.base}/",
            },
        )
        with self.opener.open(request, timeout=60) as response:
            return response.status


@pytest.mark.parametrize(
    "serve_options",
    [("--threads", "8"), ("--workers", "2", "--threads", "4")],
    ids=["one-process", "two-workers"],
)
def test_concurrent_receipts_are_all_kept_and_totals_exact(demo, capsys, serve_options):
    before_count = Receipt.objects.count()
    before_sum = Receipt.objects.aggregate(total=Sum("amount"))["total"]
    before_events = AuditEvent.objects.count()
    connection.close()
    port = free_port()
    server = start_server(port, *serve_options)
    statuses: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    # one login per person, its session shared by that person's clients (tabs): the writes
    # are what runs concurrently here, not twenty checks of a password hash at its real cost
    logins = {username: Session(f"http://127.0.0.1:{port}") for username in ("zjj", "zjj_head")}

    def client(number: int) -> None:
        try:
            session = Session(f"http://127.0.0.1:{port}")
            session.share(logins["zjj" if number % 2 else "zjj_head"])
            for n in range(PER_CLIENT):
                status = session.post_json(
                    "/api/receipts/",
                    {
                        "amount": f"{number * PER_CLIENT + n + 1}元",
                        "received_on": "2024-06-20",
                        "doc_no": f"并发-{number}-{n}",
                    },
                )
                with lock:
                    statuses.append(status)
        except Exception as exc:  # noqa: BLE001 — reported below
            with lock:
                errors.append(repr(exc))

    started = time.perf_counter()
    try:
        for username, session in logins.items():
            session.login(username)
        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
    finally:
        stop_server(server)
    elapsed = time.perf_counter() - started
    assert not errors, errors
    total = CLIENTS * PER_CLIENT
    expected_sum = total * (total + 1) // 2
    stored = Receipt.objects.filter(doc_no__startswith="并发-")
    with capsys.disabled():
        print(
            f"\n{total} concurrent receipts from {CLIENTS} clients in {elapsed:.1f} s on "
            f"{connection.vendor} ({' '.join(serve_options)}): {stored.count()} stored, "
            f"{total - stored.count()} lost"
        )
    assert statuses == [201] * total
    assert stored.count() == total
    assert Receipt.objects.count() == before_count + total
    assert stored.aggregate(total=Sum("amount"))["total"] == expected_sum
    assert Receipt.objects.aggregate(total=Sum("amount"))["total"] == before_sum + expected_sum
    # every write audited, and the hash chain did not fork under concurrency
    assert AuditEvent.objects.count() >= before_events + total
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()
