"""Every URL × every role: who may open it, who gets 403/404, and that no URL is forgotten."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from common.testing import CAST, all_matrix_entries

pytestmark = pytest.mark.crawl

# URLs outside the matrix on purpose: the language switch (no data).
SKIPPED_NAMES = {"set_language"}

ENTRIES = all_matrix_entries()


def url_names(patterns=None, namespace: str = "") -> set[str]:
    """Every URL name; a URL without a name shows as "unnamed:<route>" and fails the matrix."""
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            if not pattern.name:
                names.add(f"unnamed:{pattern.pattern}")
            elif pattern.name not in SKIPPED_NAMES:
                names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_matrix_entry():
    covered = {key.split("#")[0] for key in ENTRIES}
    missing = sorted(url_names() - covered)
    assert not missing, f"URLs without a permission-matrix entry: {missing}"
    assert not sorted(covered - url_names()), "matrix entries for URLs that do not exist"


def request(client: Client, entry, url: str):
    if entry.method == "post":
        return client.post(url, entry.data() if entry.data else {})
    return client.get(url + entry.query)


# Each role's logged-in session, made once for the whole matrix: the sessions are signed
# cookies here (no row, so the test's rollback does not take them), and every case gets the
# same demo users back (same ids and password hashes). Logging 7 people in for each of ~550
# cases cost most of the matrix's time; what is tested is what each role may open.
_SESSIONS: dict[str, str] = {}


@pytest.fixture
def logged_in(cast, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

    def client(username: str) -> Client:
        made = Client()
        if username not in _SESSIONS:
            made.force_login(cast[username])
            _SESSIONS[username] = made.cookies[settings.SESSION_COOKIE_NAME].value
        made.cookies[settings.SESSION_COOKIE_NAME] = _SESSIONS[username]
        return made

    return client


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_each_role_gets_exactly_what_the_matrix_says(key, logged_in):
    entry = ENTRIES[key]
    url = reverse(key.split("#")[0], kwargs=entry.kwargs() if entry.kwargs else None)
    anonymous = request(Client(), entry, url)
    if entry.extra.get("public"):
        assert anonymous.status_code < 400
    elif url.startswith("/api/"):
        assert anonymous.status_code in (401, 403)
    else:
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    for username in CAST:
        status = request(logged_in(username), entry, url).status_code
        if username in entry.allowed:
            assert status < 400, f"{key}: {username} should succeed, got {status}"
        else:
            assert status in (403, 404), f"{key}: {username} should be refused, got {status}"


def test_there_is_no_django_admin(client, cast):
    """Writes go through the audited services and their pages only: no generic admin."""
    from django.apps import apps

    assert not apps.is_installed("django.contrib.admin")
    client.force_login(cast["sysadmin"])
    for path in ("/django-admin/", "/django-admin/org/siteconfig/", "/admin/"):
        assert client.get(path).status_code == 404
