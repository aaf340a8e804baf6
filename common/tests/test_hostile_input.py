"""No input gives a 5xx: every URL × every role × hostile values for every parameter it takes.

The URLs come from the URL resolver (a URL added later is walked without anyone listing it);
path ids are real demo ids (the permission matrix's) and hostile ones; the parameters of each
URL are discovered from what the pages themselves offer — the fields of every form and the
query keys of every link that leads to it, as each role sees them — plus the matrix's data
and the parameters every page understands (period, page, sort, export). Hypothesis draws a
hostile value (or a plain valid one, or nothing) for each, GET and POST, as form data, and
JSON bodies for the API. Nothing may answer ≥ 500.

The number of URL × role × parameter cases tried is printed and written to
`test-artifacts/<database>/hostile-input.json` for the record.
"""

import json
import os
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from common.testing import CAST, all_matrix_entries

pytestmark = [pytest.mark.slow, pytest.mark.walk]

ANONYMOUS = "(anonymous)"
ROLES = [*CAST, ANONYMOUS]

# Parameters every page may read: the reporting period, the list machinery, the htmx flags.
GENERIC_PARAMS = ["year", "as_of", "mode", "page", "sort", "export", "all", "q", "next"]

HOSTILE = [
    "99999999999999999999",  # first: Hypothesis starts from the first choice of each strategy
    "",
    " ",
    "²",
    "-1",
    "0",
    "99999",
    "99999999999999999999",
    "-99999999999999999999",
    "1e400",
    "NaN",
    "Infinity",
    "-Infinity",
    "1.5",
    "0x1F",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "2024-13-45",
    "２０２４",
    "２０２４年１３月１日",
    "2024-06-30T25:61",
    "<script>alert(1)</script>",
    "V<img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    '"; DROP TABLE org_unit; --',
    '=HYPERLINK("http://x")',
    "../../../../etc/passwd",
    "%00",
    "\u202eevil",
    "🙂" * 50,
    "[]",
    "{}",
    "null",
    "true",
    "-",
    "--",
    "x" * 5000,
    "1" * 400,
    "9" * 4301,  # beyond Python's int() limit of 4,300 digits (issue 25 point 4)
    "https://evil.example/",
    "//evil.example",
    "day\x0b",
]
HUGE = "9" * 4301  # int() refuses more than 4,300 digits with a ValueError

HOSTILE_JSON = [
    b"[]",
    b'"abc"',
    b"42",
    b"null",
    b"true",
    b"",
    b"{",
    b"\xff\xfe",
    b'{"amount": "1", "received_on": NaN}',
    b'{"amount": "1", "received_on": Infinity}',
    b'{"amount": "1", "received_on": -Infinity}',
    b'{"amount": 1e400, "received_on": 1e400}',
    b'{"amount": "1", "received_on": "9999-12-31"}',
    b'{"amount": ["1"], "received_on": {"a": 1}}',
    '{"amount": "99999999999999999999亿", "received_on": "2024-06-30"}'.encode(),
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
]
HOSTILE_IDS = {"int": [0, 2**31, 2**63, 10**30], "other": ["x", "0" * 64, "a" * 300, "%2e%2e"]}

text_value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.integers(min_value=4301, max_value=4400).map(lambda n: "9" * n),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2024", "2024-06-30", "day", "month", "1", "2", "xlsx"]),
)
# a parameter is given one value, repeated (?year=1&year=2) or left out; Hypothesis's first
# example takes the first choice everywhere: every parameter at 99999999999999999999
param_value = st.one_of(
    text_value, text_value, st.none(), st.lists(text_value, min_size=2, max_size=3)
)


class FormFinder(HTMLParser):
    """The forms of a page (action, method, field names) and the links' query keys."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = "post" if (attrs.get("method") or "").lower() == "post" else "get"
            self._form = {
                "action": attrs.get("hx-post") or attrs.get("action") or "",
                "method": "post" if attrs.get("hx-post") else method,
                "fields": {},
            }
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and self._form is not None:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken":
                kind = "file" if attrs.get("type") == "file" else "text"
                self._form["fields"][name] = kind
        for key in ("href", "hx-get"):
            if attrs.get(key):
                self.links.append(attrs[key])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def url_patterns(patterns=None, namespace: str = "", prefix: str = ""):
    """(name, route, converters) of every URL pattern the resolver knows."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern):
            converters = getattr(pattern.pattern, "converters", {})
            yield (f"{namespace}{pattern.name}" if pattern.name else route, route, converters)


def _hostile_kwargs(converters: dict) -> list[dict]:
    variants = []
    for index in range(4):
        kwargs = {}
        for name, converter in converters.items():
            kind = "int" if type(converter).__name__ == "IntConverter" else "other"
            kwargs[name] = HOSTILE_IDS[kind][index]
        variants.append(kwargs)
    return variants


def _real_kwargs(name: str, converters: dict, entries: dict) -> list[dict]:
    found = []
    for key, entry in sorted(entries.items()):
        if key.split("#")[0] == name and entry.kwargs:
            kwargs = entry.kwargs()
            if kwargs not in found:
                found.append(kwargs)
    if not found and converters:  # a URL without a matrix entry yet: a plausible id
        found.append(
            {n: 1 if type(c).__name__ == "IntConverter" else "x" for n, c in converters.items()}
        )
    return found or [{}]


def _reverse(name: str, kwargs: dict) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _view_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


class Walk:
    """What was tried, and what answered ≥ 500."""

    def __init__(self):
        self.requests = 0
        self.cases = 0  # URL × role × parameter, each hostile value counted
        self.distinct: set[tuple[str, str, str]] = set()
        self.failures: list[str] = []
        self.seconds: dict[str, float] = defaultdict(float)

    def send(
        self,
        client,
        method: str,
        url: str,
        role: str,
        data,
        *,
        json_body=None,
        htmx=False,
        hostile=(),
    ):
        headers = {"HX-Request": "true"} if htmx else {}
        started = time.monotonic()
        if json_body is not None:
            response = client.post(url, json_body, content_type="application/json", headers=headers)
            self.cases += 1
            self.distinct.add((url, role, "(json body)"))
        elif method == "post":
            response = client.post(url, data, headers=headers)
        else:
            response = client.get(url, data, headers=headers)
        self.requests += 1
        self.seconds[urlsplit(url).path] += time.monotonic() - started
        if json_body is None:
            for key in hostile:
                self.cases += 1
                self.distinct.add((url, role, key))
        if response.status_code >= 500:
            shown = (
                json_body[:80]
                if json_body is not None
                else {
                    k: (str(v)[:60] if not isinstance(v, SimpleUploadedFile) else "(file)")
                    for k, v in data.items()
                }
            )
            error = ""
            if getattr(response, "exc_info", None):
                error = f" {response.exc_info[0].__name__}: {str(response.exc_info[1])[:200]}"
            self.failures.append(
                f"{method.upper()} {url[:120]} as {role} with {shown} → "
                f"{response.status_code}{error}"
            )
        return response


class Clients:
    """One logged-in test client per role, made again after a request that may end the
    session (logout, a password change)."""

    def __init__(self, cast):
        self.cast = cast
        self.clients: dict[str, Client] = {}

    def __call__(self, role: str) -> Client:
        if role not in self.clients:
            client = Client(raise_request_exception=False)
            if role != ANONYMOUS:
                client.force_login(self.cast[role])
            self.clients[role] = client
        return self.clients[role]

    def forget(self, role: str) -> None:
        self.clients.pop(role, None)


def discover(clients, targets: list[tuple[str, str, set]]) -> dict[tuple[str, str], dict]:
    """(URL name, method) → parameter names the pages offer for it, as the roles that may
    open each page see it."""
    found: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for _name, url, roles in targets:
        for role in roles:
            response = clients(role).get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            finder = FormFinder()
            finder.feed(response.content.decode("utf-8", "replace"))
            for form in finder.forms:
                target = urljoin(url, form["action"] or url)
                name = _view_name(target)
                if name:
                    found[(name, form["method"])].update(form["fields"])
                    found[(name, form["method"])].update(
                        {k: "text" for k, _v in parse_qsl(urlsplit(target).query)}
                    )
            for link in finder.links:
                target = urljoin(url, link)
                name = _view_name(target)
                if name:
                    found[(name, "get")].update(
                        {k: "text" for k, _v in parse_qsl(urlsplit(target).query)}
                    )
    return found


def _hostile_upload(draw_name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(draw_name or "x.xlsx", content)


@pytest.fixture
def quiet_request_log():
    """Thousands of refused requests would each log a warning with a traceback."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


# Examples per URL and method for a role that may open it (1 for the others); more for a
# deeper run: LUOSHI_HOSTILE_EXAMPLES=20 pytest common/tests/test_hostile_input.py
EXAMPLES = int(os.environ.get("LUOSHI_HOSTILE_EXAMPLES", "2"))


def test_no_url_answers_5xx_to_hostile_input(cast, quiet_request_log):
    started, cpu = time.monotonic(), time.process_time()
    entries = all_matrix_entries()
    walk = Walk()
    clients = Clients(cast)
    allowed: dict[str, set[str]] = defaultdict(set)
    public: dict[str, set[str]] = defaultdict(lambda: {ANONYMOUS})  # a URL not in the matrix
    for key, entry in entries.items():
        allowed[key.split("#")[0]] |= set(entry.allowed)
        public[key.split("#")[0]] = {ANONYMOUS} if entry.extra.get("public") else set()
    # every URL name with its real ids (from the matrix) and its hostile ones
    urls: list[tuple[str, str, int | None]] = []  # (name, url, hostile variant or None)
    for name, _route, converters in url_patterns():
        for position, kwargs in enumerate(_real_kwargs(name, converters, entries)):
            url = _reverse(name, kwargs)
            if url:  # a second real id (another unit's record) for the roles that may open it
                urls.append((name, url, None if position == 0 else -1))
        if converters:
            for variant, kwargs in enumerate(_hostile_kwargs(converters)):
                url = _reverse(name, kwargs)
                if url:
                    urls.append((name, url, variant))
    assert len({name for name, _u, _v in urls}) >= 40, "the resolver walk found too few URLs"
    params = discover(
        clients,
        [(n, u, allowed[n] | public[n]) for n, u, v in urls if v in (None, -1)],
    )
    posted = {name for (name, method) in params if method == "post"}
    valid_data: dict[str, dict] = {}
    for key, entry in entries.items():
        if entry.method == "post" and entry.data:
            posted.add(key.split("#")[0])
            valid_data.setdefault(key.split("#")[0], {}).update(entry.data())
        if entry.query:
            params[(key.split("#")[0], "get")].update(
                {k: "text" for k, _v in parse_qsl(entry.query.lstrip("?"))}
            )
    for name in {name for name, _u, _v in urls}:
        params[(name, "get")].update({k: "text" for k in GENERIC_PARAMS})
        params[(name, "post")].update({k: "text" for k in valid_data.get(name, {})})

    for name, url, variant in urls:
        methods = ["get"] + (["post"] if name in posted else [])
        if variant is None and name not in posted:
            # a page that takes no form is posted to once anyway, with its GET parameters
            role = min(allowed[name] or {ANONYMOUS})
            run_examples(walk, clients, role, "post", url, params[(name, "get")], {}, 1)
        for index, role in enumerate(ROLES):
            if variant == -1 and role not in allowed[name]:
                continue
            if variant is not None and variant >= 0 and index % len(HOSTILE_IDS["int"]) != variant:
                continue  # each role meets one of the hostile ids of a URL
            examples = EXAMPLES if variant is None and role in allowed[name] else 1
            for method in methods:
                if method == "post" and variant not in (None, -1) and role not in allowed[name]:
                    continue  # a hostile id is posted by the roles that may post there
                base = dict(valid_data.get(name, {})) if method == "post" else {}
                run_examples(
                    walk, clients, role, method, url, params[(name, method)], base, examples
                )
                if variant is None and role in allowed[name] and method == "post":
                    # every parameter at once beyond int()'s 4,300 digits (issue 25 point 4):
                    # drawn at random above too, sent here for certain
                    huge = {k: HUGE for k, kind in params[(name, method)].items() if kind != "file"}
                    walk.send(
                        clients(role), method, url, role, {**base, **huge}, hostile=list(huge)
                    )
                if method == "post" and ("logout" in name or "password" in name):
                    clients.forget(role)  # it may have ended the session
            if variant in (None, -1) and url.startswith("/api/") and "post" in methods:
                bodies = HOSTILE_JSON if role in allowed[name] else HOSTILE_JSON[:3]
                for body in bodies:
                    walk.send(clients(role), "post", url, role, {}, json_body=body)

    elapsed = time.monotonic() - started
    summary = {
        "urls": len({name for name, _u, _v in urls}),
        "url_variants": len(urls),
        "roles": len(ROLES),
        "requests": walk.requests,
        "cases": walk.cases,
        "distinct_url_role_parameter": len(walk.distinct),
        "responses_5xx": len(walk.failures),
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),  # the wall time on a busy machine
        "slowest": sorted(walk.seconds.items(), key=lambda kv: -kv[1])[:8],
    }
    from django.db import connection

    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        **summary,
        # what was discovered for each URL, for the record
        "parameters": {f"{n} {m}": sorted(fields) for (n, m), fields in sorted(params.items())},
    }
    (folder / "hostile-input.json").write_text(json.dumps(record, indent=2, ensure_ascii=False))
    print(f"\nhostile input ({connection.vendor}): {json.dumps(summary, ensure_ascii=False)}")
    assert not walk.failures, "\n".join(walk.failures[:40])
    assert walk.requests > 500, summary


def run_examples(walk, clients, role, method, url, fields: dict, base: dict, examples: int):
    names = sorted(fields)
    values = st.fixed_dictionaries({name: param_value for name in names})

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(values=values, htmx=st.booleans(), content=st.binary(max_size=300))
    def attempt(values, htmx, content):
        client = clients(role)
        data = dict(base)
        for name, value in values.items():
            if value is None:
                continue
            if fields.get(name) == "file":
                data[name] = _hostile_upload(str(value)[:40] + ".xlsx", content)
            else:
                data[name] = value
        hostile = [name for name, value in values.items() if value is not None]
        walk.send(client, method, url, role, data, htmx=htmx, hostile=hostile)

    attempt()
