"""The hash chain over the audit trail: each event seals its fields and its predecessor's hash.

Editing any field of a row changes its hash; deleting a row breaks the next row's link. Pruning
(retention) removes only the oldest rows and records an `AuditAnchor`, so verification can start
from the first remaining row without accepting a silent cut anywhere else.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection

SEALED_FIELDS = [
    "at",
    "actor_id",
    "actor_name",
    "role",
    "ip",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "success",
    "batch",
]
# An arbitrary constant: the advisory lock that serialises chain writers on PostgreSQL.
CHAIN_LOCK = 0x4C756F73


def _normal(name: str, value: Any) -> Any:
    if name == "at":
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if name in ("actor_id",) and value is not None:
        return int(value)
    if name == "success":
        return bool(value)
    if name == "ip":
        return value or None
    if name in ("before", "after") and isinstance(value, str):
        return json.loads(value)  # raw SQLite reads may hand back text
    return value


def seal(fields: dict, prev_hash: str) -> str:
    """sha256 of the predecessor's hash and the event's fields in canonical JSON."""
    canonical = json.dumps(
        {name: _normal(name, fields.get(name)) for name in SEALED_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def lock_and_last_hash() -> str:
    """Take the chain lock (inside the caller's transaction) and return the newest hash."""
    from .models import AuditAnchor, AuditEvent

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    # On SQLite the IMMEDIATE transaction already holds the database write lock.
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    if last is not None:
        return last
    anchor = AuditAnchor.objects.order_by("-id").values_list("last_hash", flat=True).first()
    return anchor or ""


def verify(rows: Iterable[dict], anchor: str = "") -> tuple[int, int | None, str]:
    """Check a chain in id order: (rows checked, first bad id or None, what is wrong)."""
    previous = anchor
    checked = 0
    for row in rows:
        if row["prev_hash"] != previous:
            return checked, row["id"], "link broken: a row before it was deleted or altered"
        if seal(row, row["prev_hash"]) != row["hash"]:
            return checked, row["id"], "content altered"
        previous = row["hash"]
        checked += 1
    return checked, None, ""
