"""Applying a checked plan (a mixin of `ledger.services._Plan`): every sheet written through
the bulk services of its app, in one audit batch."""

from django.utils.translation import gettext as _

from audit.services import AuditBatch
from funding.services import (
    bulk_save_channels,
    bulk_save_guides,
    bulk_save_projects,
    bulk_set_targets,
)
from org.services import bulk_save_leaders, bulk_save_units, set_oversight
from policy.services import bulk_save_work_items

from .cells import (
    UNKNOWN_PERSON,
)


class Writes:
    """The plan written through each app's bulk services."""

    def write(self, user) -> None:
        """Write the checked plan through the bulk services of each app, with one audit batch;
        call inside one transaction."""
        audit = AuditBatch(user=user)
        self.result.batch = audit.batch
        if self.new_channels:
            self.channels.update(
                bulk_save_channels(user=user, audit=audit, levels=self.new_channels)
            )
        creates, updates = self.leader_changes
        self.leaders.update(
            bulk_save_leaders(user=user, audit=audit, creates=creates, updates=updates)
        )
        creates, updates = self.unit_changes
        self.units.update(bulk_save_units(user=user, audit=audit, creates=creates, updates=updates))
        unit_id = {code: unit.pk for code, unit in self.units.items()}
        set_oversight(
            user=user,
            audit=audit,
            oversight={
                self.leaders[name]: [unit_id[code] for code in codes]
                for name, codes in self.oversight.items()
            },
        )
        self._write_targets(user, audit, unit_id)
        self._write_projects(user, audit, unit_id)
        self._write_receipts(user, audit, unit_id)
        self._write_work_items(user, audit, unit_id)
        self._write_guides(user, audit, unit_id)
        self._write_counterparts(user, audit, unit_id)
        counts = {
            key: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for key, c in self.result.counts.items()
        }
        audit.write(
            "ledger.imported",
            after={"file": self.result.file_name, "sha256": self.result.sha256, "counts": counts},
            object_type="ledger.file",
            object_repr=self.result.file_name,
        )

    def _write_work_items(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, updates = self.work_item_changes
        if not creates and not updates:
            return
        leader_id = {name: leader.pk for name, leader in self.leaders.items()}
        changes = []
        for item, wanted in updates:
            values = {k: v for k, v in wanted.items() if k not in ("lead_leader", "lead_unit")}
            if "lead_leader" in wanted:
                values["lead_leader_id"] = leader_id[wanted["lead_leader"]]
            if "lead_unit" in wanted:
                values["lead_unit_id"] = unit_id[wanted["lead_unit"]]
            if "co_units" in wanted:
                values["co_unit_ids"] = [unit_id[c] for c in values.pop("co_units")]
            changes.append((item, values))
        bulk_save_work_items(
            user=user,
            audit=audit,
            new_policies=list(self.new_policies),
            creates=[
                {
                    "code": row["code"],
                    "title": row["title"],
                    "goal": row["goal"],
                    "policy_id": row["policy_id"],
                    "measure_id": row["measure_id"],
                    "lead_leader_id": leader_id[row["lead_leader"]],
                    "lead_unit_id": unit_id[row["lead_unit"]],
                    "co_unit_ids": [unit_id[c] for c in row["co_units"]],
                    "due_on": row["due_on"],
                    "milestones": row["milestones"],
                }
                for row in creates
            ],
            updates=changes,
            reason=(_("Ledger import %(file)s") % {"file": self.result.file_name})[:300],
        )

    def _channel_id(self, name: str) -> int | None:
        return self.channels[name].pk if name else None

    def _write_targets(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, revisions = self.target_changes
        default_reason = _("Ledger import %(file)s") % {"file": self.result.file_name}
        bulk_set_targets(
            user=user,
            audit=audit,
            creates=[(unit_id[row["unit"]], row["year"], row["amount"]) for row in creates],
            revisions=[
                (
                    unit_id[code],
                    year,
                    row["amount"],
                    row["effective"],
                    (row["reason"] or default_reason)[:300],
                )
                for (code, year), row, _in_force in revisions
            ],
        )

    def _write_projects(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, updates = self.project_changes
        # the row's values a Project takes as they are (channel and person become ids)
        fields = (
            "code",
            "name",
            *(k for k in self.PROJECT_FIELDS if k not in ("channel", "follow_up")),
        )
        changes = []
        for project, wanted in updates:
            values = {k: v for k, v in wanted.items() if k not in ("unit", "channel", "follow_up")}
            if "follow_up" in wanted:
                values["follow_up_id"] = wanted["follow_up"]
            if "unit" in wanted:
                values["unit_id"] = unit_id[wanted["unit"]]
            if "channel" in wanted:
                values["channel_id"] = self._channel_id(wanted["channel"])
            changes.append((project, values))
        bulk_save_projects(
            user=user,
            audit=audit,
            creates=[
                {
                    **{key: row[key] for key in fields},
                    "unit_id": unit_id[row["unit"]],
                    "channel_id": self._channel_id(row["channel"]),
                    "follow_up_id": None
                    if row["follow_up"] is UNKNOWN_PERSON
                    else row["follow_up"],
                }
                for row in creates
            ],
            updates=changes,
            on=self.today,
        )

    def _write_guides(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, updates = self.guide_changes
        if not creates and not updates:
            return

        def values(row: dict) -> dict:
            out = {k: v for k, v in row.items() if k in self.GUIDE_FIELDS and k != "channel"}
            if "channel" in row:
                out["channel_id"] = self._channel_id(row["channel"])
            return out

        bulk_save_guides(
            user=user,
            audit=audit,
            creates=[
                ({"code": row["code"], **values(row)}, [unit_id[c] for c in row["units"]])
                for row in creates
            ],
            updates=[
                (
                    guide,
                    values(wanted),
                    [unit_id[c] for c in wanted["units"]] if "units" in wanted else None,
                )
                for guide, wanted in updates
            ],
        )
