"""The one way to write the audit trail. Call it inside the transaction of the change."""

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from common.services import indexes_built_after, insert_rows

from . import chain
from .context import Actor, actor_for_user, current_actor
from .models import AuditAnchor, AuditEvent
from .triggers import MIN_RETENTION_DAYS


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited state of a model instance: its concrete fields, FKs as ids."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    actor: Actor | None = None,
    user=None,
    success: bool = True,
    batch: str = "",
    object_type: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one audit event (dotted action name, e.g. `funding.receipt.created`).

    The actor is `actor`, else `user` (keeping the request's IP and id when it is the
    requesting user), else whoever the current context says is acting (a request: its user;
    a command: "luoshi <command>", see `audit.commands.SystemCommand`).
    """
    if actor is None:
        actor = current_actor()
        if user is not None and actor.user_id != user.pk:
            # e.g. a login: the request's actor is still anonymous; keep its IP and ids
            actor = actor_for_user(user, actor.ip, actor.request_id, actor.client_request_id)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_repr = object_repr or str(obj)
    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.name,
        role=actor.role,
        ip=actor.ip,
        request_id=actor.request_id,
        client_request_id=actor.client_request_id,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=object_repr[:300],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        success=success,
        batch=batch,
    )
    # Atomic even when called alone, so the chain lock is held until the row is committed.
    with transaction.atomic():
        event.prev_hash = chain.lock_and_last_hash()
        event.hash = chain.seal(event.__dict__, event.prev_hash)
        event.save(force_insert=True)
    return event


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@transaction.atomic
def prune_events(*, days: int) -> int:
    """Delete the events older than `days` (a prefix of the chain only, so verification resumes
    at the anchor left behind); the pruning itself is recorded. Returns how many went.

    Below the minimum retention it refuses, as the database triggers would.
    """
    if days < MIN_RETENTION_DAYS:
        raise ValueError(f"retention must be at least {MIN_RETENTION_DAYS} days")
    cutoff = timezone.now() - dt.timedelta(days=days)
    chain.lock_and_last_hash()
    first_young = (
        AuditEvent.objects.filter(at__gte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    old = AuditEvent.objects.filter(at__lt=cutoff)
    if first_young is not None:
        old = old.filter(id__lt=first_young)
    last = old.order_by("-id").values("id", "hash").first()
    if last is None:
        return 0
    count = old.count()
    AuditAnchor.objects.create(pruned_through=last["id"], last_hash=last["hash"], count=count)
    old._raw_delete(old.db)
    record(
        "audit.pruned",
        None,
        # sealed in the chain: what vouches for the (unsealed) AuditAnchor row
        after={"through": last["id"], "last_hash": last["hash"], "count": count, "days": days},
        object_type="audit.auditevent",
    )
    return count


def record_list_export(sender, *, request, spec, rows: int, filters: dict, **kwargs) -> None:
    """Every list exported to Excel is audited: which list, how many rows, which filters."""
    record(
        "list.exported",
        None,
        after={"list": spec.name, "rows": rows, "filters": filters},
        user=request.user,
        object_type="list",
        object_repr=str(spec.title),
    )


# The raw rows of `AuditBatch`: the sealed fields (6 shared, the 6 of each event, 3 shared).
EVENT_COLUMNS = list(chain.SEALED_FIELDS)
assert EVENT_COLUMNS[6:12] == list(chain.EVENT_FIELDS)
assert EVENT_COLUMNS[12:] == ["success", "batch", "client_request_id"]


class AuditBatch:
    """The audit events of one bulk change (a ledger import): one actor, one time, one batch
    id. Bulk services `add` one event per record; `write` seals them all into the chain and
    inserts them in batches (100,000 events one by one through `record` would cost more than
    the rest of the import), then `record`s the batch's own event as usual.

    Create it, call the bulk services and `write` inside one transaction."""

    def __init__(self, *, user=None, actor: Actor | None = None, batch: str = ""):
        self.actor = actor or (actor_for_user(user) if user is not None else current_actor())
        self.batch = batch or uuid.uuid4().hex
        self.at = timezone.now()
        self.events: list[tuple] = []

    def __len__(self) -> int:
        return len(self.events)

    def add(
        self,
        action: str,
        obj: models.Model,
        *,
        before: dict | None = None,
        after: dict | None = None,
        object_repr: str = "",
    ) -> None:
        """Collect one event on `obj`, as `record` would write it."""
        self.add_row(
            action,
            obj._meta.label_lower,
            str(obj.pk),
            object_repr or str(obj),
            _plain(before) if before is not None else None,
            _plain(after) if after is not None else None,
        )

    def add_row(
        self, action: str, object_type: str, object_id: str, object_repr: str, before, after
    ) -> None:
        """Collect one event from plain values (JSON-ready before/after), for services that
        write raw rows and have no model instance at hand."""
        self.events.append((action, object_type, object_id, object_repr[:300], before, after))

    def write(
        self, action: str, *, after: dict | None = None, object_type: str = "", object_repr=""
    ) -> AuditEvent:
        """Seal and insert the collected events, then record the batch's own event
        (`action`, e.g. `ledger.imported`) after them in the chain."""
        with indexes_built_after(AuditEvent, len(self.events)):
            insert_rows(
                AuditEvent,
                EVENT_COLUMNS + ["prev_hash", "hash"],
                self._sealed(),
                json_text={EVENT_COLUMNS.index("before"), EVENT_COLUMNS.index("after")},
            )
        return record(
            action,
            None,
            after=after,
            actor=self.actor,
            batch=self.batch,
            object_type=object_type,
            object_repr=object_repr,
        )

    def _sealed(self) -> Iterator[tuple]:
        """The collected events as rows of EVENT_COLUMNS + prev_hash, hash: the chain's next
        links, with before/after as JSON text (SQL NULL for none). The chain is locked and
        its last hash read here; the rows are sealed as they are consumed (as they are
        written: 100,000 sealed rows need not all be in memory at once)."""
        shared = {
            "at": self.at,
            "actor_id": self.actor.user_id,
            "actor_name": self.actor.name,
            "role": self.actor.role,
            "ip": self.actor.ip,
            "request_id": self.actor.request_id,
            "success": True,
            "batch": self.batch,
            "client_request_id": self.actor.client_request_id,
        }
        sealer = chain.BatchSealer(shared, chain.lock_and_last_hash())
        head = tuple(shared[name] for name in EVENT_COLUMNS[:6])
        tail = (shared["success"], shared["batch"], shared["client_request_id"])
        events, self.events = self.events, []

        def rows() -> Iterator[tuple]:
            for action, object_type, object_id, object_repr, *changes in events:
                before, after, previous, digest = sealer.seal_event(
                    action, object_type, object_id, object_repr, *changes
                )
                yield (
                    *head,
                    action,
                    object_type,
                    object_id,
                    object_repr,
                    None if before == "null" else before,
                    None if after == "null" else after,
                    *tail,
                    previous,
                    digest,
                )

        return rows()
