"""Every edit form carries the version it was read at, and a stale save is refused (design §10,
issue 23 point 4): a second save from an older form never silently undoes the first.

The forms are found, not listed. Every page of the permission matrix is opened by each role
that may open it, and every POST form on it whose action names an existing record (a URL with
an id) is an edit form — unless its URL is declared below as creating a new record under the
one named, or as an action that takes no value the reader saw. Each edit form must carry a
`version` field. After every page is read, every versioned record moves on one version (someone
else saved it); each edit form is then submitted as its page filled it in, and must be refused
with the stale-record message and nothing written. A new edit form without a version, or one
that saves a stale read, fails here.
"""

from collections import defaultdict
from urllib.parse import urljoin, urlsplit

import lxml.html
from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404

from audit.models import AuditEvent
from common.testing import all_matrix_entries

# POST forms naming a record that save nothing the reader saw of it, with the reason. Every
# other form whose action names a record is an edit form and must carry its version.
CREATES = {  # a new record under the one named
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
            element.get("name"): (element.get("type") or element.tag).lower()
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


def discover(cast) -> dict[str, list]:
    """URL name → [(role, page, action, values, empty required fields)] of POST forms."""
    entries = all_matrix_entries()
    for entry in entries.values():
        if entry.method == "post" and entry.kwargs:
            entry.kwargs()  # what a POST entry sets up (a filed explanation…) shows its forms
    forms = defaultdict(list)
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
            for action, values, empty, names in page_forms(response.content.decode(), url):
                match = record_url(action)
                if match is not None:
                    forms[match.view_name].append((role, url, action, values, empty, names))
    return forms


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


def _changed(data: dict, kinds: dict) -> dict:
    """The submission with one thing changed, as an editor would: a text appended to, else a
    box ticked or cleared (a save that changes nothing writes nothing to refuse)."""
    changed = dict(data)
    texts = [n for n, kind in kinds.items() if kind == "textarea"]
    texts += [
        n
        for n, kind in kinds.items()
        if kind == "text" and not any(ch.isdigit() for ch in "".join(data.get(n, [])))
    ]
    if texts:
        name = texts[0]
        changed[name] = [(changed.get(name) or [""])[0].strip() + "（另一页面改）"]
        return changed
    boxes = [n for n, kind in kinds.items() if kind == "checkbox"]
    if boxes:
        name = boxes[0]
        if name in changed:
            del changed[name]
        else:
            changed[name] = ["on"]
    return changed


def _post(client: Client, action: str, data: dict):
    """(response, actions written) of one submission."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.post(action, data, follow=True)
    assert response.status_code < 500, action
    written = AuditEvent.objects.filter(id__gt=last).exclude(action__in=READS)
    return response, list(written.values_list("action", flat=True))


def test_every_edit_form_carries_its_version_and_a_stale_save_is_refused(cast):
    for user in cast.values():
        user.set_password("Luoshi@2024demo")  # cheap hashes: the walk logs every role in
        user.save(update_fields=["password"])
    found = discover(cast)
    declared = CREATES | NOT_EDITS
    assert not set(declared) - set(found), "declared forms no page shows any more"
    edits = {name: rows for name, rows in found.items() if name not in declared}
    without = sorted(
        name for name, rows in edits.items() if any("version" not in row[5] for row in rows)
    )
    assert not without, f"edit forms without a version field: {without}"

    # someone else saves every versioned record after the pages were read
    for model in apps.get_models():
        if any(f.name == "version" for f in model._meta.concrete_fields):
            model._base_manager.update(version=F("version") + 1)

    walked, untried, saved = set(), set(), []
    for name, rows in sorted(edits.items()):
        for role, page, action, values, empty, kinds in rows:
            data = _changed(_submission(values, empty), kinds)
            if not any(v for v in data.get("version", [])):
                continue  # the record does not exist yet (a work plan not made): a create
            client = Client()
            client.force_login(cast[role])
            # the same save from the current version goes through (then is undone): the
            # refusal below is the version's doing, not a field left empty or a locked record
            fresh = {**data, "version": [str(int(v) + 1) for v in data["version"]]}
            with transaction.atomic():
                _response, written = _post(client, action, fresh)
                transaction.set_rollback(True)
            if not written:
                import re
                errs = re.findall(r'class="(?:errorlist|messages?|alert)[^"]*"[^>]*>(.{0,150})', _response.content.decode(), re.S)
                print("DEBUG", name, role, _response.status_code, errs[:3], fresh)
                untried.add(f"{name} as {role}")
                continue
            response, written = _post(client, action, data)
            if written:
                saved.append(f"{name} as {role} from {page}: saved {written}")
            elif STALE not in response.content.decode():
                saved.append(f"{name} as {role} from {page}: no stale-record message")
            walked.add(name)
            break  # one role's form per URL: the rule is the service's, whoever posts
    assert not saved, "stale saves not refused:\n" + "\n".join(saved)
    print(
        f"\nedit forms walked: {len(walked)}: {', '.join(sorted(walked))}"
        f"\nnot accepted even when fresh (not tried): {sorted(untried - walked)}"
    )
    assert len(walked) >= 20, sorted(walked)
