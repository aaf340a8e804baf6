"""The chain head kept outside the database, and the one check of the whole trail.

The keyed chain (audit/chain.py) catches an edited or deleted row, but not a cut at the end:
whoever can write the database can delete the newest events and the rest still links up. So
the head is written outside the database, to an append-only file of JSON lines
(`settings.AUDIT_ANCHOR_FILE`, default `LUOSHI_DATA_DIR/audit_anchors.jsonl`, mode 0600), by
`anchor_trail`: every `luoshi audit_verify`, `audit_anchor` and `remind` run, and every
`settings.AUDIT_ANCHOR_INTERVAL` seconds (at most 10 minutes) while `luoshi serve` runs. Each
line is sealed with the audit key, so a line cannot be forged without it either.

Each anchoring is also a sealed audit event (`audit.anchored`) that carries its line number
in the file, and the line anchors that very event. So the database says how long the file must
be: a file deleted, truncated or replaced once anchors existed is a failure, never a fresh
start; and a cut of the newest rows that removes an anchoring event is caught by its line.

What no anchor can catch: the events written after the newest anchor are protected only by
the audit key (an edit is caught, a cut of them is not) until the next anchoring; and whoever
can both cut the rows and truncate the file on this machine back past the same anchor goes
unnoticed here: copy the file off the machine (SECURITY.md).

`verify_trail` checks the chain in the database and then every anchor line since the newest
restore: each anchored event must still be there with the same hash. A restore writes a
`restore` line: anchors written before it describe the history the restore replaced.
"""

import datetime as dt
import fcntl
import hmac
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import chain
from .models import AuditAnchor, AuditEvent
from .services import record

FORMAT = 1
#: the sealed event of each anchoring, and of a restore (anchors before it are not compared)
ANCHORED = "audit.anchored"
RESTORED = "backup.restored"
#: said by every command that anchors: what the anchors do not protect
UNPROTECTED = (
    "Events written after the newest anchor are protected only by the audit key until the "
    "next anchoring: an edit of them is caught, deleting them is not."
)


@dataclass
class Anchor:
    """One line of the anchor file."""

    kind: str  # "head" or "restore"
    at: str
    event_id: int
    hash: str
    count: int
    line: int = 0
    valid_mac: bool = True

    def payload(self) -> dict:
        return {
            "v": FORMAT,
            "kind": self.kind,
            "at": self.at,
            "event_id": self.event_id,
            "hash": self.hash,
            "count": self.count,
        }


@dataclass
class Report:
    """What a check of the trail found: the first bad event, or the head that verified."""

    checked: int = 0
    bad_id: int | None = None
    problem: str = ""
    head_id: int = 0
    head_hash: str = ""
    anchors_compared: int = 0
    notes: list[str] = field(default_factory=list)
    anchored_line: int = 0  # the line `anchor_trail` wrote (0: none)
    anchored_event: int = 0  # its `audit.anchored` event

    @property
    def ok(self) -> bool:
        return self.bad_id is None and not self.problem


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def _mac(payload: dict) -> str:
    return hmac.new(chain.audit_key(), chain.canonical_json(payload).encode(), "sha256").hexdigest()


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every line of the anchor file, oldest first (a missing file has none)."""
    path = path or anchor_file()
    if not path.exists():
        return []
    anchors = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            anchor = Anchor(
                kind=str(data["kind"]),
                at=str(data["at"]),
                event_id=int(data["event_id"]),
                hash=str(data["hash"]),
                count=int(data["count"]),
                line=number,
            )
            anchor.valid_mac = hmac.compare_digest(str(data.get("mac", "")), _mac(anchor.payload()))
        except (ValueError, KeyError, TypeError):
            anchor = Anchor("unreadable", "", 0, "", 0, line=number, valid_mac=False)
        anchors.append(anchor)
    return anchors


def write_anchor(
    *, kind: str, event_id: int, hash: str, count: int, path: Path | None = None
) -> Anchor:
    """Append one sealed line to the anchor file (created 0600), flushed to disk."""
    path = path or anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    anchor = Anchor(
        kind=kind,
        at=timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        event_id=event_id,
        hash=hash,
        count=count,
    )
    text = chain.canonical_json(anchor.payload() | {"mac": _mac(anchor.payload())}) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, text.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return anchor


def current_anchors(anchors: list[Anchor]) -> tuple[list[Anchor], int]:
    """The anchor lines since the newest restore (a restore's own line included), and how
    many older lines that restore superseded."""
    last_restore = max((i for i, a in enumerate(anchors) if a.kind == "restore"), default=0)
    return anchors[last_restore:], last_restore


def _start_of_chain(report: Report) -> str | None:
    """The hash the oldest remaining event must link to: "" for an unpruned trail, else the
    prune anchor's, but only when the sealed `audit.pruned` event vouches for it."""
    anchor = AuditAnchor.objects.order_by("-id").first()
    if anchor is None:
        return ""
    vouchers = AuditEvent.objects.filter(action="audit.pruned", id__gt=anchor.pruned_through)
    for after in vouchers.values_list("after", flat=True):
        after = json.loads(after) if isinstance(after, str) else (after or {})
        if (
            after.get("through") == anchor.pruned_through
            and after.get("last_hash", anchor.last_hash) == anchor.last_hash
        ):
            return anchor.last_hash
    report.problem = (
        f"the prune anchor through event {anchor.pruned_through} is not vouched for by any "
        "sealed audit.pruned event: old events were deleted by hand"
    )
    report.bad_id = anchor.pruned_through + 1
    return None


def verify_trail(*, since: Anchor | None = None, only_chain: bool = False) -> Report:
    """Check the trail: the keyed chain in the database (from `since`, an anchor already
    trusted, or from the start), then every anchor line written since the newest restore
    (not with `only_chain`: a restore compares its trail with the key only)."""
    report = Report()
    pruned_through = (
        AuditAnchor.objects.order_by("-id").values_list("pruned_through", flat=True).first() or 0
    )
    if since is not None and since.event_id <= pruned_through:
        since = None  # the anchored event has been pruned since: check from the start
    rows = AuditEvent.objects.order_by("id").values("id", "prev_hash", "hash", *chain.SEALED_FIELDS)
    if since is not None and since.event_id:
        start = AuditEvent.objects.filter(id=since.event_id).values_list("hash", flat=True).first()
        if start != since.hash:
            report.bad_id = since.event_id
            report.problem = f"event {since.event_id}, anchored at {since.at}, is " + (
                "missing" if start is None else "no longer the anchored one"
            )
            return report
        rows = rows.filter(id__gt=since.event_id)
        previous = since.hash
    else:
        previous = _start_of_chain(report)
        if previous is None:
            return report
    last: dict = {}

    def remembered(rows):
        # the head anchored is the newest event verified, not one written meanwhile
        for row in rows:
            last["id"], last["hash"] = row["id"], row["hash"]
            yield row

    checked, bad_id, problem = chain.verify(remembered(rows.iterator(chunk_size=5000)), previous)
    report.checked = checked
    if bad_id is not None:
        report.bad_id, report.problem = bad_id, problem
        if checked == 0 and since is None:
            report.notes.append(
                "no event verifies: if the trail was never tampered with, the audit key "
                "(LUOSHI_AUDIT_KEY or LUOSHI_DATA_DIR/audit_key) is not the one it was sealed with"
            )
        return report
    if last:
        report.head_id, report.head_hash = last["id"], last["hash"]
    elif since is not None:
        report.head_id, report.head_hash = since.event_id, since.hash
    if not only_chain:
        _compare_with_anchors(report)
    return report


def _compare_with_anchors(report: Report) -> None:
    anchors, superseded = current_anchors(read_anchors())
    if superseded:
        report.notes.append(
            f"{superseded} anchor line(s) written before the newest restore were not compared"
        )
    pruned_through = (
        AuditAnchor.objects.order_by("-id").values_list("pruned_through", flat=True).first() or 0
    )
    claimed = _claimed_lines()
    wanted = {a.event_id for a in anchors if a.event_id > pruned_through}
    hashes = {}
    ids = sorted(wanted)
    for i in range(0, len(ids), 5000):
        hashes.update(AuditEvent.objects.filter(id__in=ids[i : i + 5000]).values_list("id", "hash"))
    last_good = 0
    for anchor in anchors:
        if not anchor.valid_mac:
            report.bad_id = anchor.event_id or None
            report.problem = (
                f"line {anchor.line} of {anchor_file()} is not sealed with the audit key: "
                "the anchor file was edited"
            )
            return
        report.anchors_compared += 1
        if anchor.event_id <= pruned_through or anchor.event_id == 0:
            continue
        found = hashes.get(anchor.event_id)
        if found is None:
            report.bad_id = anchor.event_id
            report.problem = (
                f"events after {report.head_id} are missing: the anchor written {anchor.at} "
                f"(line {anchor.line}) records event {anchor.event_id} as the head, and it is "
                "gone (rows were deleted from the end of the trail)"
                if anchor.event_id > report.head_id
                else f"event {anchor.event_id}, anchored {anchor.at}, is missing"
            )
            return
        if found != anchor.hash:
            report.bad_id = anchor.event_id
            report.problem = (
                f"event {anchor.event_id} no longer has the hash anchored {anchor.at}: the "
                f"trail was rewritten and re-sealed with the audit key after event {last_good} "
                f"(the last anchored event that still matches), up to event {anchor.event_id}"
            )
            return
        claim = claimed.get(anchor.event_id)
        if claim is not None and claim.line != anchor.line:
            report.bad_id = anchor.event_id
            report.problem = (
                f"line {anchor.line} of {anchor_file()} anchors event {anchor.event_id}, which "
                f"was written as line {claim.line}: lines of the anchor file were removed"
            )
            return
        last_good = max(last_good, anchor.event_id)
    _check_file_length(report, claimed)


@dataclass
class Claim:
    """An `audit.anchored` event: the line it says it was written as, in this file."""

    event_id: int
    line: int
    at: dt.datetime


def file_identity(path: Path | None = None) -> str:
    """The anchor file an anchoring wrote to: this host's path (app servers sharing one
    PostgreSQL each keep their own file, and compare only their own lines)."""
    return f"{socket.gethostname()}:{path or anchor_file()}"


def _claimed_lines() -> dict[int, Claim]:
    """The anchorings the trail records for this host's anchor file since the newest restore
    (the ones before it wrote to the file of the history the restore replaced), by event."""
    restored = (
        AuditEvent.objects.filter(action=RESTORED).order_by("-id").values_list("id", flat=True)
    ).first() or 0
    identity = file_identity()
    claims = {}
    rows = AuditEvent.objects.filter(action=ANCHORED, id__gt=restored).values_list(
        "id", "at", "after"
    )
    for event_id, at, after in rows.iterator(chunk_size=5000):
        after = json.loads(after) if isinstance(after, str) else (after or {})
        if after.get("file") == identity and isinstance(after.get("line"), int):
            claims[event_id] = Claim(event_id, after["line"], at)
    return claims


def _check_file_length(report: Report, claimed: dict[int, Claim]) -> None:
    """Once the trail records an anchoring, its line must be in the file: a missing or
    shorter file is a failure, never a fresh start."""
    if not claimed:
        return
    longest = max(claimed.values(), key=lambda claim: claim.line)
    lines = line_count()
    if lines >= longest.line:
        return
    path = anchor_file()
    state = "is missing" if not path.exists() else f"has {lines} line(s)"
    report.bad_id = longest.event_id
    report.problem = (
        f"the anchor file {path} {state}, but the audit trail records that line "
        f"{longest.line} was written to it at {longest.at:%Y-%m-%d %H:%M:%S %Z} (event "
        f"{longest.event_id}): the anchor file was deleted, truncated or replaced, so the "
        "trail can no longer be checked against it (compare with the copy kept off the "
        "machine). Anchoring does not start afresh."
    )


def line_count(path: Path | None = None) -> int:
    """The lines of the anchor file, as `read_anchors` numbers them."""
    path = path or anchor_file()
    if not path.exists():
        return 0
    return len(path.read_text(encoding="utf-8").splitlines())


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One anchoring at a time on this host (`serve`, cron and `remind` may meet): the line
    number an anchoring event carries is the line it then appends."""
    lock = path.with_name(path.name + ".lock")
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def anchor_trail(report: Report | None = None) -> Report:
    """Check the events since the newest anchor and anchor the head: a sealed
    `audit.anchored` event carrying its line number, then that line, anchoring the event.
    Call it outside a transaction (the event must be committed before its line is written).

    The one call for any job that should anchor (`remind`, `digest`, `serve`):
    `anchor_trail()`; the report says whether it anchored (`anchored_line`) or what is wrong
    (`ok`, `bad_id`, `problem`: nothing is anchored then). With `report`, a check the caller
    has just made of the whole trail (`audit_verify`) stands for the check of the newest
    events. Nothing new since the newest anchor: nothing is written."""
    newest = newest_anchor()
    if report is None:
        report = verify_trail(since=newest)
    if not report.ok or not report.head_id:
        return report
    if newest is not None and newest.kind == "head" and newest.event_id == report.head_id:
        return report  # the head is the newest line already: an idle server adds no events
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        line = line_count(path) + 1
        event = record(
            ANCHORED,
            None,
            after={
                "line": line,
                "file": file_identity(path),
                "head": report.head_id,
                "head_hash": report.head_hash,
                "pid": os.getpid(),
            },
            object_type="audit.anchor",
            object_repr=f"{path.name}:{line}",
        )
        write_anchor(
            kind="head", event_id=event.id, hash=event.hash, count=report.checked + 1, path=path
        )
    report.anchored_line, report.anchored_event = line, event.id
    return report


def newest_anchor() -> Anchor | None:
    anchors, _superseded = current_anchors(read_anchors())
    return anchors[-1] if anchors else None
