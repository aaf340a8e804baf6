"""Every edit form carries the version it was read at, and a stale save is refused (design §10,
issue 23 point 4): a second save from an older form never silently undoes the first.

The forms are found, not listed. Every page of the permission matrix is opened by each role
that may open it, and every POST form on it whose action names an existing record (a URL with
an id) is an edit form — unless its URL is declared below as creating a new record under the
one named, or as an action that takes no value the reader saw. Each edit form must carry a
`version` field. Each edit form is submitted, with a change, as its page filled it in: that save
goes through (then is rolled back); the same save from the version before (as if someone else
had saved the record after the page was read) must be refused with the stale-record message and
nothing written. A new edit form without a version, or one
that saves a stale read, fails here.
"""

from collections import defaultdict
from urllib.parse import urljoin, urlsplit

import lxml.html
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from audit.models import AuditEvent
from common.testing import all_matrix_entries

# POST forms naming a record that save nothing the reader saw of it, with the reason. Every
# other form whose action names a record is an edit form and must carry its version.
CREATES = {  # a new record under the one named
    "funding:counterpart_person_add": "a new contact person of the department (by the name "
    "typed; the form shows no person's post or phone to save over)",
    "policy:meeting_detail": "a new decision (work item) of the meeting",
    "funding:material_upload": "a new material file of the project",
    "org:section_add": "a new section of the unit",
    "policy:measure_create": "a new measure of the policy",
    "policy:milestone_create": "a new time node of the item",
    "policy:workitem_create": "a new work item of the policy",
}
NOT_EDITS = {
    # decisions on a pending request: the first decision wins, a second is refused
    "accounts:request_approve": "one way: only a pending account request is decided",
    "accounts:request_reject": "one way: only a pending account request is decided",
    "dashboard:report_approve": "one way: only a report awaiting its head is decided",
    "accounts:person_activate": "one flag set to the value chosen, audited; no text",
    "accounts:user_reset_password": "a new random password; no field of the person is shown",
    "accounts:user_set_active": "one flag set to the value chosen, audited; no text",
    "funding:lead_convert": "one way: a lead converted (or closed) is refused a second time",
    "funding:requirement_delete": "removes a checklist entry; nothing is saved over",
    "reminders:robot_remove": "removes a robot; nothing is saved over",
    "ledger:confirm": "imports the workbook named by its hash as a new batch",
    "supervision:dispatch_urge": "records an urging (new reminders) on the open requests",
    "supervision:dispatch_briefing": "starts a job compiling the round's briefing; saves nothing",
    "supervision:bulletin_draft": "starts a job making a draft file (its format in the URL); "
    "saves nothing",
    "funding:counterpart_person_remove": "removes a contact person; nothing is saved over",
    "policy:alias_remove": "removes a unit alias; nothing is saved over",
}

READS = {"security.permission_denied", "security.scope_denied", "list.exported"}

STALE = "他人已修改此记录"


def page_forms(html: str, url: str) -> list[tuple]:
    """(action URL, values as a browser would send them, required empty fields, field names)
    of every POST form of a page."""
    found = []
    document = lxml.html.fromstring(html)
    for form in document.forms:
        action = form.get("hx-post") or form.get("action") or ""
        if not form.get("hx-post") and (form.get("method") or "").lower() != "post":
            continue
        values = [(k, v) for k, v in form.form_values() if k != "csrfmiddlewaretoken"]
        button = next((b for b in form.iter("button") if b.get("name")), None)
        if button is not None:
            values.append((button.get("name"), button.get("value") or ""))
        empty = {
            (element.get("name"), element.get("type") or element.tag)
            for element in form.inputs
            if element.get("required") is not None
            and element.get("name")
            and not (element.value or "").strip()
        }
        kinds = {
            element.get("name"): (
                ("select", [o.get("value", o.text or "") for o in element.iter("option")])
                if element.tag == "select"
                else ((element.get("type") or element.tag).lower(), [])
            )
            for element in form.inputs
            if element.get("name") and element.get("disabled") is None
        }
        found.append((urljoin(url, action or url), values, empty, kinds))
    return found


def record_url(url: str):
    """The resolved URL when it names a record (has an id), else None."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match if match.kwargs else None


def edit_form_name(action: str, values: list[tuple[str, str]]) -> str | None:
    """The URL name of a form's action when the form edits an existing record: the action
    names a record (a URL with an id), or the form carries a version (the settings)."""
    try:
        match = resolve(urlsplit(action).path)
    except Resolver404:
        return None
    if match.kwargs or any(v for k, v in values if k == "version"):
        return match.view_name
    return None


# a plausible value for a required field the page left empty (by input type)
FILL = {"date": "2024-06-28", "number": "1", "select": "", "file": None}


def _submission(values: list[tuple[str, str]], empty: set) -> dict:
    data: dict[str, list[str]] = defaultdict(list)
    for name, value in values:
        data[name].append(value)
    for name, kind in empty:
        fill = FILL.get(kind, "测试：另一页面上的修改")
        if fill is not None and not any(v.strip() for v in data.get(name, [])):
            data[name] = [fill]
    return dict(data)


def _edits(data: dict, kinds: dict):
    """The submission with something changed, as an editor would, in the ways tried in turn:
    a text appended to (with a date moved a day, a number raised by one), another option
    chosen, a box ticked or cleared. A save that changes nothing writes nothing to refuse."""
    import datetime as dt

    def first(name):
        return (data.get(name) or [""])[0].strip()

    texts = [n for n, (kind, _o) in kinds.items() if kind == "textarea"]
    texts += [
        n
        for n, (kind, _o) in kinds.items()
        if kind == "text" and first(n) and not any(ch.isdigit() for ch in first(n))
    ]
    appended = dict(data)
    if texts:
        appended[texts[0]] = [first(texts[0]) + "（另一页面改）"]
    yield appended
    moved, raised = dict(appended), dict(appended)
    for name, (kind, _o) in kinds.items():
        value = first(name)
        if kind == "date" and value:
            moved[name] = [(dt.date.fromisoformat(value) + dt.timedelta(days=1)).isoformat()]
        elif kind in ("text", "number") and value.isdigit() and name != "version":
            raised[name] = [str(int(value) + 1)]
    yield moved
    yield raised
    for name, (kind, options) in kinds.items():
        others = [o for o in options if o and o not in data.get(name, [])]
        if kind == "select" and others:
            yield {**appended, name: [others[0]]}
    for name, (kind, _o) in kinds.items():
        if kind == "checkbox":
            toggled = dict(appended)
            if name in toggled:
                del toggled[name]
            else:
                toggled[name] = ["on"]
            yield toggled


def _post(client: Client, action: str, data: dict):
    """(response, actions written) of one submission."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.post(action, data, follow=True)
    assert response.status_code < 500, action
    written = AuditEvent.objects.filter(id__gt=last).exclude(action__in=READS)
    return response, list(written.values_list("action", flat=True))


def test_every_edit_form_carries_its_version_and_a_stale_save_is_refused(cast):
    entries = all_matrix_entries()
    declared = CREATES | NOT_EDITS
    assert not set(declared) - {key.split("#")[0] for key in entries}, "declared, gone"
    walked, untried, without, saved = set(), set(), set(), []
    for key, entry in sorted(entries.items()):
        if entry.method != "get":
            continue
        url = reverse(key.split("#")[0], kwargs=entry.kwargs() if entry.kwargs else None)
        for role in sorted(entry.allowed):
            client = Client()
            client.force_login(cast[role])
            response = client.get(url + entry.query)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            pending = []
            for action, values, empty, kinds in page_forms(response.content.decode(), url):
                name = edit_form_name(action, values)
                if name is None or name in declared or name in walked:
                    continue
                if "version" not in kinds:
                    without.add(name)
                elif any(v for k, v in values if k == "version"):
                    pending.append((name, action, _submission(values, empty), kinds))
                # else: the record does not exist yet (a work plan not made): a create
            for name, action, read, kinds in pending:
                if name in walked:
                    continue
                outcome = _try_stale_save(client, action, read, kinds)
                if outcome is None:
                    untried.add(name)
                    continue
                if outcome:
                    saved.append(f"{name} as {role} from {url}: {outcome}")
                walked.add(name)
    assert not without, f"edit forms without a version field: {sorted(without)}"
    assert not saved, "stale saves not refused:\n" + "\n".join(saved)
    print(
        f"\nedit forms walked: {len(walked)}: {', '.join(sorted(walked))}"
        f"\nnot accepted even when fresh, so not tried: {sorted(untried - walked)}"
    )
    assert len(walked) >= 19, sorted(walked)


def _try_stale_save(client: Client, action: str, read: dict, kinds: dict) -> str | None:
    """None when no change of the form is accepted even from the current version (a locked
    record): nothing to prove; "" when the stale save is refused as it must be; else what
    went wrong."""
    for data in _edits(read, kinds):
        # the save from the version the page read goes through (then is undone): the refusal
        # below is the version's doing, not a field left empty or a rule of the record
        with transaction.atomic():
            _response, written = _post(client, action, data)
            transaction.set_rollback(True)
        if written:
            break
    else:
        return None
    # Someone else saved the record after the page was read: the record's version is no
    # longer the form's (told here by posting the form's version moved on by one, as a
    # version is a positive number; moving every record on by an UPDATE of each versioned
    # table instead left a dead copy of every row per page on PostgreSQL, inside the test's
    # one transaction: the walk took 50 s there, 10 s on SQLite)
    stale = {**data, "version": [str(int(v) + 1) for v in data["version"]]}
    response, written = _post(client, action, stale)
    if written:
        return f"saved {written}"
    if STALE not in response.content.decode():
        return "refused without the stale-record message"
    return ""


def test_a_second_save_of_a_policy_or_measure_from_an_older_form_shows_the_first(cast):
    """Issue 23: `/policy/<id>/edit/` and `/policy/measures/<id>/edit/` carried no version, so
    a second save from an older form silently undid the first."""
    from policy.models import Measure, Policy

    office = Client()
    office.force_login(cast["office"])
    policy = Policy.objects.order_by("pk").first()
    form = {
        "title": policy.title,
        "short_name": "第一位的简称",
        "issuer": policy.issuer,
        "doc_no": policy.doc_no,
        "summary": policy.summary,
        "version": policy.version,
    }
    url = reverse("policy:policy_edit", args=[policy.pk])
    assert office.post(url, form).status_code == 302
    second = office.post(url, {**form, "short_name": "第二位的简称"})
    assert second.status_code == 400
    page = second.content.decode()
    assert STALE in page and "第一位的简称" in page  # the other person's change, named
    policy.refresh_from_db()
    assert policy.short_name == "第一位的简称" and policy.version == form["version"] + 1

    measure = Measure.objects.order_by("pk").first()
    form = {
        "aspect": measure.aspect_id,
        "code": measure.code,
        "text": "第一位的条款",
        "version": measure.version,
    }
    url = reverse("policy:measure_edit", args=[measure.pk])
    assert office.post(url, form).status_code == 302
    second = office.post(url, {**form, "text": "第二位的条款"})
    assert second.status_code == 400 and "第一位的条款" in second.content.decode()
    measure.refresh_from_db()
    assert measure.text == "第一位的条款"
    # and without a version at all: refused, nothing saved
    missing = office.post(url, {"aspect": measure.aspect_id, "code": measure.code, "text": "无"})
    assert missing.status_code == 400 and "版本" in missing.content.decode()
    measure.refresh_from_db()
    assert measure.text == "第一位的条款"


def test_every_api_write_to_a_named_record_requires_its_version(client, db):
    """The API's side of the walk: every POST/PUT/PATCH of a path naming a record (a path
    parameter) takes a required `version` in its body (the stale one answers 409)."""
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    writes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch") or "{" not in path:
                continue
            content = operation["requestBody"]["content"]
            schema = next(iter(content.values()))["schema"]
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
            assert "version" in schema.get("required", []), f"{method} {path}"
            writes.append(f"{method} {path}")
    assert writes, "the API has no write to a named record any more: check this test"
