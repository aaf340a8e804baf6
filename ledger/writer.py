"""The write side of a ledger import: everything in bulk, with one audit event per record.

`LedgerWriter` is mixed into the import plan (`ledger.services._Plan`), which has already
checked every row; each `_write_*` method writes one sheet's creates and updates.
"""

import datetime as dt
import uuid

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import chain
from audit.context import actor_for_user, current_actor
from audit.models import AuditEvent
from audit.services import record, snapshot
from funding.docno import normalise_doc_no
from funding.models import Channel, Project, ProjectStageChange, Receipt, Target, TargetRevision
from org.models import Leader, Unit

PROGRESS_EVERY = 10_000

RECEIPT_COLUMNS = [
    "unit_id",
    "project_id",
    "amount",
    "received_on",
    "doc_no",
    "channel_id",
    "level",
    "note",
    "version",
    "doc_key",
]
# The audit rows below follow the sealed fields: 6 shared, the 6 of each event, 2 shared.
EVENT_COLUMNS = list(chain.SEALED_FIELDS)
assert EVENT_COLUMNS[6:12] == list(chain.EVENT_FIELDS)
assert EVENT_COLUMNS[12:] == ["success", "batch"]


def _same_value_cached(adapt):
    """Every audit event of one import has the same time: adapt it once."""
    last: list = [object(), None]

    def cached(value):
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return cached


def _insert_rows(model, columns: list[str], rows: list[tuple], json_text=()) -> None:
    """INSERT many rows with executemany: the ORM's per-value preparation of bulk_create
    costs ~10x more than the database for 100,000 receipts and their audit events.
    Dates and datetimes are adapted here the way the fields would; the columns at the
    positions in `json_text` are given as JSON text already."""
    if not rows:
        return
    ops = connection.ops
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[c] for c in columns]
    adapters = []
    for field_ in fields:
        internal = field_.get_internal_type()
        if internal == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif internal == "DateTimeField":
            adapters.append(_same_value_cached(ops.adapt_datetimefield_value))
        else:
            adapters.append(None)
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    json_mark = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    marks = ", ".join(json_mark if i in json_text else "%s" for i in range(len(fields)))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    active = [(i, a) for i, a in enumerate(adapters) if a is not None]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            chunk = []
            for row in rows[start : start + 5000]:
                if active:
                    row = list(row)
                    for i, adapt in active:
                        row[i] = adapt(row[i]) if row[i] is not None else None
                chunk.append(row)
            cursor.executemany(sql, chunk)


def _new_ids(
    model, last_id: int, columns: list[str], rows: list[tuple], key: tuple[int, ...]
) -> list[int]:
    """The ids the database gave `rows`, just inserted after `last_id`, in their order.

    Alone in the table (SQLite's write lock; usually PostgreSQL too) the ids are the next
    len(rows) numbers. Otherwise rows are matched by the columns at the positions in `key`
    against what was written, leaving out rows another session inserted meanwhile.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MIN(id), MAX(id) FROM {table} WHERE id > %s", [last_id])
        count, first, last = cursor.fetchone()
    if count == len(rows) and (not rows or last - first + 1 == count):
        return list(range(first, last + 1)) if rows else []
    waiting: dict[tuple, list[int]] = {}
    for position, row in enumerate(rows):
        waiting.setdefault(tuple(row[i] for i in key), []).append(position)
    ids = [0] * len(rows)
    written = (
        model.objects.filter(pk__gt=last_id)
        .order_by("pk")
        .values_list("pk", *(columns[i] for i in key))
    )
    for pk, *values in written.iterator(chunk_size=20_000):
        positions = waiting.get(tuple(values))
        if positions:
            ids[positions.pop(0)] = pk
    return ids


class LedgerWriter:
    """Writes a checked plan; call `write` inside one transaction."""

    def write(self, user) -> None:
        self.user = user
        self.actor = actor_for_user(user) if user is not None else current_actor()
        self.batch = uuid.uuid4().hex
        self.result.batch = self.batch
        self.events: list[tuple] = []
        self.now = timezone.now()
        self.today: dt.date = timezone.localdate()
        self._write_channels()
        self._write_leaders()
        self._write_units()
        self._write_oversight()
        self._write_targets()
        self._write_projects()
        self._write_receipts()
        _insert_rows(
            AuditEvent,
            EVENT_COLUMNS + ["prev_hash", "hash"],
            self._sealed_events(),
            json_text={EVENT_COLUMNS.index("before"), EVENT_COLUMNS.index("after")},
        )
        counts = {
            key: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for key, c in self.result.counts.items()
        }
        record(
            "ledger.imported",
            None,
            after={"file": self.result.file_name, "sha256": self.result.sha256, "counts": counts},
            actor=self.actor,
            batch=self.batch,
            object_type="ledger.file",
            object_repr=self.result.file_name,
        )

    def _event(self, action: str, obj, *, before=None, after=None, repr_: str = "") -> None:
        """Collect one event (the fields of chain.EVENT_FIELDS); all are sealed at the end."""
        self.events.append(
            (action, obj._meta.label_lower, str(obj.pk), (repr_ or str(obj))[:300], before, after)
        )

    def _sealed_events(self) -> list[tuple]:
        """The collected events as rows of EVENT_COLUMNS + prev_hash, hash: the chain's next
        links, with before/after as JSON text (SQL NULL for none)."""
        shared = {
            "at": self.now,
            "actor_id": self.actor.user_id,
            "actor_name": self.actor.name,
            "role": self.actor.role,
            "ip": self.actor.ip,
            "request_id": self.actor.request_id,
            "success": True,
            "batch": self.batch,
        }
        sealer = chain.BatchSealer(shared, chain.lock_and_last_hash())
        head = tuple(shared[name] for name in EVENT_COLUMNS[:6])
        tail = (shared["success"], shared["batch"])
        sealed = []
        for action, object_type, object_id, object_repr, *changes in self.events:
            before, after, previous, digest = sealer.seal_event(
                action, object_type, object_id, object_repr, *changes
            )
            sealed.append(
                (
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
            )
        self.events = []
        return sealed

    def _channel_id(self, name):
        return self.channels[name].pk if name else None

    def _write_channels(self) -> None:
        """Channels named with a level that do not exist yet."""
        for name, level in self.new_channels.items():
            code = self._free_channel_code()
            channel = Channel.objects.create(code=code, name=name, level=level)
            self.channels[name] = channel
            self._event("funding.channel.created", channel, after=snapshot(channel))

    def _write_leaders(self) -> None:
        """Leaders by name."""
        creates, updates = self.leader_changes
        base = max((leader.sort_order for leader in self.leaders.values()), default=0)
        for offset, row in enumerate(creates, start=1):
            leader = Leader.objects.create(
                name=row["name"], title=row["title"], sort_order=base + offset
            )
            self.leaders[leader.name] = leader
            self._event("org.leader.created", leader, after=snapshot(leader))
        for leader, title in updates:
            before = snapshot(leader)
            leader.title = title
            leader.save(update_fields=["title"])
            self._event("org.leader.updated", leader, before=before, after=snapshot(leader))

    def _write_units(self) -> None:
        """Units: created without parents, then parents set once every code has an id."""
        creates, updates = self.unit_changes
        base = max((u.sort_order for u in self.units.values()), default=0)
        new_units = [
            Unit(code=row["code"], name=row["name"], kind=row["kind"], sort_order=base + i)
            for i, row in enumerate(creates, start=1)
        ]
        # names may swap between units in one file: clear updated names first
        for unit, wanted in updates:
            if wanted["name"] != unit.name:
                Unit.objects.filter(pk=unit.pk).update(name=f"~{self.batch}~{unit.pk}")
        Unit.objects.bulk_create(new_units, batch_size=1000)
        self.units.update(
            {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in new_units])}
        )
        parents = {row["code"]: row["parent"] for row in creates if row["parent"]}
        for unit in new_units:
            unit = self.units[unit.code]
            if unit.code in parents:
                unit.parent_id = self.units[parents[unit.code]].pk
                unit.save(update_fields=["parent"])
            self._event("org.unit.created", unit, after=snapshot(unit))
        for unit, wanted in updates:
            before = snapshot(unit)
            before["name"] = unit.name
            unit.name = wanted["name"]
            if "kind" in wanted:
                unit.kind = wanted["kind"]
            if "parent" in wanted:
                unit.parent_id = self.units[wanted["parent"]].pk if wanted["parent"] else None
            unit.version += 1
            unit.save()
            self._event("org.unit.updated", unit, before=before, after=snapshot(unit))

    def _write_oversight(self) -> None:
        """Which leaders oversee which units."""
        through = Leader.oversees.through
        for name, codes in self.oversight.items():
            leader = self.leaders[name]
            old = sorted(through.objects.filter(leader=leader).values_list("unit_id", flat=True))
            leader.oversees.set([self.units[c].pk for c in codes])
            new = sorted(self.units[c].pk for c in codes)
            self._event(
                "org.leader.oversight_changed",
                leader,
                before={"oversees": old},
                after={"oversees": new},
            )

    def _write_targets(self) -> None:
        """Targets, then their revisions in the order planned, as set_target writes them:
        each revision keeps the amount in force before it on its effective date, and a
        target's amount ends as the amount in force on 31 December."""
        from collections import defaultdict

        from funding.figures import amount_in_force

        creates, revisions = self.target_changes
        new_targets = [
            Target(unit_id=self.units[row["unit"]].pk, year=row["year"], amount=row["amount"])
            for row in creates
        ]
        Target.objects.bulk_create(new_targets, batch_size=1000)
        touched = {(t.unit_id, t.year) for t in new_targets}
        touched |= {(self.units[code].pk, year) for (code, year), _row, _old in revisions}
        targets = {}
        for target in Target.objects.filter(
            year__in={year for _unit, year in touched},
            unit_id__in={unit_id for unit_id, _year in touched},
        ).select_related("unit"):
            if (target.unit_id, target.year) in touched:
                targets[(target.unit_id, target.year)] = target
        for new in new_targets:
            target = targets[(new.unit_id, new.year)]
            self._event("funding.target.created", target, after=snapshot(target))
        history = defaultdict(list)
        for target_id, *revision in (
            TargetRevision.objects.filter(target_id__in=[t.pk for t in targets.values()])
            .order_by("pk")
            .values_list("target_id", "effective_on", "pk", "old_amount", "new_amount")
        ):
            history[target_id].append(revision)
        default_reason = _("Ledger import %(file)s") % {"file": self.result.file_name}
        revised = {}
        for (code, year), row, old_amount in revisions:
            target = targets[(self.units[code].pk, year)]
            reason = (row["reason"] or default_reason)[:300]
            revision = TargetRevision.objects.create(
                target=target,
                old_amount=old_amount,
                new_amount=row["amount"],
                effective_on=row["effective"],
                reason=reason,
                changed_at=self.now,
                changed_by=self.user,
            )
            before = snapshot(target)
            past = history[target.pk]
            past.append([row["effective"], revision.pk, old_amount, row["amount"]])
            known = [(on, pk, new) for on, pk, _old, new in past]
            target.amount = amount_in_force(past[0][2], known, dt.date(year, 12, 31))
            target.version += 1
            revised[target.pk] = target
            self._event(
                "funding.target.revised",
                target,
                before=before,
                after={
                    **snapshot(target),
                    "old_amount": old_amount,
                    "new_amount": row["amount"],
                    "effective_on": row["effective"].isoformat(),
                    "reason": reason,
                },
            )
        Target.objects.bulk_update(list(revised.values()), ["amount", "version"], batch_size=1000)

    def _write_projects(self) -> None:
        """Projects, with their first stage in the history."""
        creates, updates = self.project_changes

        new_projects = [
            Project(
                code=row["code"],
                name=row["name"],
                unit_id=self.units[row["unit"]].pk,
                channel_id=self._channel_id(row["channel"]),
                level=row["level"],
                requested=row["requested"],
                stage=row["stage"],
                applied_on=row["applied_on"],
                owner=row["owner"],
            )
            for row in creates
        ]
        Project.objects.bulk_create(new_projects, batch_size=1000)
        created = list(Project.objects.filter(code__in=[p.code for p in new_projects]))
        ProjectStageChange.objects.bulk_create(
            [
                ProjectStageChange(
                    project=p,
                    from_stage="",
                    to_stage=p.stage,
                    changed_on=p.applied_on or self.today,
                    changed_by=self.user,
                )
                for p in created
            ],
            batch_size=1000,
        )
        for project in created:
            self._event(
                "funding.project.created",
                project,
                after=snapshot(project),
                repr_=f"{project.code} {project.name}",
            )
        for project, wanted in updates:
            before = snapshot(project)
            old_stage = project.stage
            for key, value in wanted.items():
                if key == "unit":
                    project.unit_id = self.units[value].pk
                elif key == "channel":
                    project.channel_id = self._channel_id(value)
                else:
                    setattr(project, key, value)
            if project.stage != old_stage:
                ProjectStageChange.objects.create(
                    project=project,
                    from_stage=old_stage,
                    to_stage=project.stage,
                    changed_on=self.today,
                    changed_by=self.user,
                )
            project.version += 1
            project.save()
            self._event(
                "funding.project.updated",
                project,
                before=before,
                after=snapshot(project),
                repr_=f"{project.code} {project.name}",
            )

    def _write_receipts(self) -> None:
        """Receipts: the bulk path (raw batched INSERTs), one event per receipt."""
        creates, updates = self.receipt_changes
        projects = dict(Project.objects.values_list("code", "pk"))
        unit_pk = {code: u.pk for code, u in self.units.items()}
        rows = []
        for _row, unit, amount, on, doc, project, channel, level in creates:
            if channel and not level:
                level = self.channels[channel].level
            rows.append(
                (
                    unit_pk[unit],
                    projects[project] if project else None,
                    amount,
                    on,
                    doc,
                    self._channel_id(channel),
                    level,
                    "",
                    1,
                    normalise_doc_no(doc),
                )
            )
        if self.progress and len(rows) >= PROGRESS_EVERY:
            self.progress(_("writing"), len(rows))
        last_id = Receipt.objects.aggregate(last=Max("pk"))["last"] or 0
        _insert_rows(Receipt, RECEIPT_COLUMNS, rows)
        names = ["id", *RECEIPT_COLUMNS]
        unit_names = {u.pk: u.name for u in self.units.values()}
        for pk, row in zip(
            _new_ids(Receipt, last_id, RECEIPT_COLUMNS, rows, (0, 3, 2, 4)), rows, strict=True
        ):
            receipt = dict(zip(names, (pk, *row), strict=True))
            receipt["received_on"] = row[3].isoformat()
            self.events.append(
                (
                    "funding.receipt.created",
                    "funding.receipt",
                    str(pk),
                    f"{receipt['received_on']} {unit_names[row[0]]} {row[2]}"[:300],
                    None,
                    receipt,
                )
            )
        del rows
        changed = []
        for pk, wanted in updates:
            receipt = Receipt.objects.get(pk=pk)
            before = snapshot(receipt)
            if "project" in wanted:
                receipt.project_id = projects[wanted["project"]] if wanted["project"] else None
            if "channel" in wanted:
                receipt.channel_id = self._channel_id(wanted["channel"])
            if "level" in wanted:
                receipt.level = wanted["level"]
            receipt.version += 1
            changed.append(receipt)
            self._event("funding.receipt.updated", receipt, before=before, after=snapshot(receipt))
        Receipt.objects.bulk_update(
            changed, ["project", "channel", "level", "version"], batch_size=1000
        )

    def _free_channel_code(self) -> str:
        used = set(Channel.objects.values_list("code", flat=True))
        number = len(used) + 1
        while f"QD{number:03d}" in used:
            number += 1
        return f"QD{number:03d}"
