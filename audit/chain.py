"""The keyed hash chain over the audit trail: each event seals its fields and its predecessor's
hash with HMAC-SHA256 under the audit key (`settings.AUDIT_KEY`, kept outside the database).

Editing any field of a row changes its hash, and without the key nobody can compute the hash
that would hide it; deleting a row breaks the next row's link; deleting the newest rows is
caught by the anchors written outside the database (`audit/anchors.py`). Pruning (retention)
removes only the oldest rows and records an `AuditAnchor` plus a sealed `audit.pruned` event,
so verification can start from the first remaining row without accepting a cut anywhere else.

Chain versions: until migration `0005_keyed_chain` the chain was plain SHA-256 over the first
14 fields (`seal_plain`). That migration checks the plain chain and re-seals every intact event
with the key; from the first broken event on it leaves the rows as they were, so verification
still names that event (a migration never launders a tampered trail).
"""

import datetime as dt
import hashlib
import hmac
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
    "client_request_id",
]
# The fields of the plain SHA-256 chain (migrations 0003–0005 only).
SEALED_FIELDS_V1 = SEALED_FIELDS[:14]
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


# The canonical JSON of the chain: sorted keys, compact, UTF-8, str() for anything else.
canonical_json = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
).encode


def audit_key() -> bytes:
    from django.conf import settings

    return settings.AUDIT_KEY.encode()


def seal(fields: dict, prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256, under the audit key, of the predecessor's hash and the event's fields in
    canonical JSON."""
    canonical = canonical_json({name: _normal(name, fields.get(name)) for name in SEALED_FIELDS})
    return hmac.new(key or audit_key(), (prev_hash + canonical).encode(), "sha256").hexdigest()


def seal_plain(fields: dict, prev_hash: str) -> str:
    """The unkeyed seal of chain version 1 (before migration 0005), for the migrations."""
    canonical = canonical_json({name: _normal(name, fields.get(name)) for name in SEALED_FIELDS_V1})
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


# Fields that differ between the events of one batch; the others are shared.
EVENT_FIELDS = ("action", "object_type", "object_id", "object_repr", "before", "after")


class BatchSealer:
    """Seals many events that share time, actor and batch, as `seal` would, from pre-encoded
    parts: a ledger import writes 100,000 events and re-encoding the shared fields of each
    one costs more than the rest of the import. `seal_event` also hands back the JSON text of
    `before` and `after`, so the INSERT does not encode them a second time."""

    def __init__(self, shared: dict, prev_hash: str):
        self.parts = {name: canonical_json(_normal(name, shared.get(name))) for name in shared}
        missing = set(SEALED_FIELDS) - set(EVENT_FIELDS) - set(self.parts)
        assert not missing, f"shared fields missing: {missing}"
        self.order = sorted(SEALED_FIELDS)
        # The canonical text, keys in order, is constant pieces around the six values of the
        # event: joined from the pieces instead of re-assembled key by key for every event.
        self.pieces, self.slots, text = [], [], "{"
        for position, name in enumerate(self.order):
            text += ("," if position else "") + f'"{name}":'
            if name in EVENT_FIELDS:
                self.pieces.append(text)
                self.slots.append(EVENT_FIELDS.index(name))
                text = ""
            else:
                text += self.parts[name]
        self.pieces.append(text + "}")
        # one %-template with the six values in key order
        self.template = "%s".join(piece.replace("%", "%%") for piece in self.pieces)
        self.names: dict[str, str] = {}  # the canonical text of repeated action/type names
        self.previous = prev_hash
        self.key = audit_key()

    def seal_event(
        self, action, object_type, object_id, object_repr, before, after
    ) -> tuple[str, str, str, str]:
        """(before JSON, after JSON, prev_hash, hash) of the next event in the chain."""
        names = self.names
        if action not in names:
            names[action] = canonical_json(action)
        if object_type not in names:
            names[object_type] = canonical_json(object_type)
        values = (
            names[action],
            names[object_type],
            _json_text(object_id),
            _json_text(object_repr),
            _json_text(before),
            _json_text(after),
        )
        canonical = self.template % tuple([values[slot] for slot in self.slots])
        previous = self.previous
        # the one-shot C function: no HMAC object to copy per event
        self.previous = hmac.digest(self.key, (previous + canonical).encode(), "sha256").hex()
        return values[4], values[5], previous, self.previous


def _json_text(value) -> str:
    """canonical_json of a value, the same text sooner: `JSONEncoder.encode` builds a new C
    encoder (and a closure) for every call, which costs more than encoding a receipt; the
    sealer of a 100,000-event batch uses one made once. A string, None and a dict are the
    values the events carry."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if kind is dict and _encode_dict is not None:
        return "".join(_encode_dict(value, 0))
    return canonical_json(value)


_encode_string = json.encoder.encode_basestring  # what canonical_json does for a str
# canonical_json's settings (sorted keys, compact, str() for the rest); no circular check,
# as event snapshots are trees.
_encode_dict = (
    json.encoder.c_make_encoder(None, str, _encode_string, None, ":", ",", True, False, True)
    if json.encoder.c_make_encoder is not None
    else None
)


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


def verify(rows: Iterable[dict], anchor: str = "", *, sealer=None) -> tuple[int, int | None, str]:
    """Check a chain in id order: (rows checked, first bad id or None, what is wrong)."""
    if sealer is None:
        key = audit_key()

        def sealer(row, previous):
            return seal(row, previous, key)

    previous = anchor
    checked = 0
    for row in rows:
        if row["prev_hash"] != previous:
            return checked, row["id"], "link broken: a row before it was deleted or altered"
        if sealer(row, row["prev_hash"]) != row["hash"]:
            return checked, row["id"], "content altered (or sealed with another audit key)"
        previous = row["hash"]
        checked += 1
    return checked, None, ""
