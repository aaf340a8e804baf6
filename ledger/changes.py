"""What an import would change, sheet by sheet (a mixin of `ledger.services._Plan`):
each row compared with the stored record it upserts."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from funding.models import (
    Guide,
    Project,
    Target,
    TargetRevision,
)
from funding.rules import amount_in_force
from org.models import Leader
from policy.models import AssignmentRole, WorkItem

from .cells import (
    UNKNOWN_PERSON,
)
from .format import SHEETS, Issue
from .receipts import by_keys


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class Changes:
    """The rows compared with the database: what is created, updated, unchanged."""

    def plan_counts(self) -> None:
        """Fill result.counts by comparing each row with the database (no writes)."""
        counts = self.result.counts
        for sheet in SHEETS:
            if sheet.key in self.rows:
                counts[sheet.key] = Counts()
        self.unit_changes = self._diff_units()
        self.leader_changes = self._diff_leaders()
        self.target_changes = self._diff_targets()
        self.project_changes = self._diff_projects()
        self.work_item_changes = self._diff_work_items()
        self.guide_changes = self._diff_guides()
        if "receipts" in self.rows:
            self._count("receipts", *self.receipt_counts)
        self._count_counterparts()

    def _count(self, key: str, created: int, updated: int, unchanged: int) -> None:
        counts = self.result.counts[key]
        counts.created += created
        counts.updated += updated
        counts.unchanged += unchanged

    def _diff_units(self):
        creates, updates, unchanged = [], [], 0
        present = self.present.get("units", set())
        for row in self.rows.get("units", []):
            unit = self.units.get(row["code"])
            wanted = {"name": row["name"]}
            if "kind" in present:
                wanted["kind"] = row["kind"]
            if "parent" in present:
                wanted["parent"] = row["parent"]
            if unit is None:
                creates.append(row)
                continue
            current = {
                "name": unit.name,
                "kind": unit.kind,
                "parent": self._code_of(unit.parent_id),
            }
            if any(current[k] != v for k, v in wanted.items()):
                updates.append((unit, wanted))
            else:
                unchanged += 1
        if "units" in self.rows:
            self._count("units", len(creates), len(updates), unchanged)
        return creates, updates

    def _diff_work_items(self):
        """Rows compared with the stored items (by code): what to create, what changes. The
        columns not in the file are left as they are; time nodes are matched by title (a new
        title adds one, a new date moves it, keeping the old date)."""
        if "work_items" not in self.rows:
            return [], []
        present = self.present["work_items"]
        codes = [row["code"] for row in self.rows["work_items"]]
        items = {
            i.code: i
            for i in WorkItem.objects.filter(code__in=codes).prefetch_related(
                "assignments", "milestones"
            )
        }
        creates, updates, unchanged = [], [], 0
        for row in self.rows["work_items"]:
            item = items.get(row["code"])
            if item is None:
                creates.append(row)
                continue
            lead = next(
                (a.unit_id for a in item.assignments.all() if a.role == AssignmentRole.LEAD), None
            )
            co = sorted(a.unit_id for a in item.assignments.all() if a.role == AssignmentRole.CO)
            current = {
                "title": item.title,
                "policy_id": item.policy_id,
                "lead_leader": self.leaders[row["lead_leader"]].pk
                if row["lead_leader"] in self.leaders
                else None,
                "due_on": item.due_on,
                "lead_unit": self._code_of(lead),
            }
            wanted = {}
            if row["title"] != item.title:
                wanted["title"] = row["title"]
            if row["policy_id"] != item.policy_id:
                wanted["policy_id"] = row["policy_id"]  # an id, or the name of a new policy
            if current["lead_leader"] != item.lead_leader_id:
                wanted["lead_leader"] = row["lead_leader"]
            if row["due_on"] != item.due_on:
                wanted["due_on"] = row["due_on"]
            if row["lead_unit"] != current["lead_unit"]:
                wanted["lead_unit"] = row["lead_unit"]
            if "co_units" in present and sorted(row["co_units"]) != sorted(
                self._code_of(u) for u in co
            ):
                wanted["co_units"] = row["co_units"]
            if "measure" in present and row["measure_id"] != item.measure_id:
                wanted["measure_id"] = row["measure_id"]
            if "goal" in present and row["goal"] != item.goal:
                wanted["goal"] = row["goal"]
            if "milestones" in present:
                nodes = {m.title: m for m in item.milestones.all()}
                add = [(d, t) for d, t in row["milestones"] if t not in nodes]
                moves = {
                    nodes[t]: d
                    for d, t in row["milestones"]
                    if t in nodes and nodes[t].due_on != d and nodes[t].done_on is None
                }
                if add:
                    wanted["milestones"] = add
                if moves:
                    wanted["moves"] = moves
            if wanted:
                updates.append((item, wanted))
            else:
                unchanged += 1
        self._count("work_items", len(creates), len(updates), unchanged)
        return creates, updates

    def _code_of(self, unit_id):
        if unit_id is None:
            return ""
        if not hasattr(self, "_codes"):
            self._codes = {u.pk: code for code, u in self.units.items()}
        return self._codes.get(unit_id, "")

    def _diff_leaders(self):
        creates, updates, unchanged = [], [], 0
        title_present = "title" in self.present.get("leaders", set())
        for row in self.rows.get("leaders", []):
            leader = self.leaders.get(row["name"])
            if leader is None:
                creates.append(row)
            elif title_present and leader.title != row["title"]:
                updates.append((leader, row["title"]))
            else:
                unchanged += 1
        # oversight (分管领导) set from the units sheet
        self.oversight: dict[str, set[str]] = {}
        if "leader" in self.present.get("units", set()):
            through = Leader.oversees.through
            current = defaultdict(set)
            codes = {u.pk: c for c, u in self.units.items()}
            names = {leader.pk: n for n, leader in self.leaders.items()}
            for leader_id, unit_id in through.objects.values_list("leader_id", "unit_id"):
                current[names[leader_id]].add(codes[unit_id])
            in_file = {u["code"] for u in self.rows["units"]}
            wanted = {name: set(codes_) - in_file for name, codes_ in current.items()}
            for unit in self.rows["units"]:
                for name in unit["leaders"]:
                    wanted.setdefault(name, set()).add(unit["code"])
            self.oversight = {
                name: codes_
                for name, codes_ in wanted.items()
                if codes_ != current.get(name, set())
            }
            changed_existing = {n for n in self.oversight if n in self.leaders}
            updated_names = {leader.name for leader, _t in updates}
            moved = [
                row
                for row in self.rows.get("leaders", [])
                if row["name"] in changed_existing and row["name"] not in updated_names
            ]
            unchanged -= len(moved)
            updates_extra = len(moved)
        else:
            updates_extra = 0
        if "leaders" in self.rows:
            self._count("leaders", len(creates), len(updates) + updates_extra, unchanged)
        return creates, updates

    def _diff_targets(self):
        """Each row is compared with the target in force on its effective date (design §4):
        the first row of a new target creates it (in force from 1 January), a row whose
        amount differs is a revision from its date, anything else is unchanged. Rows of one
        target are taken in the order of their dates, each seeing the revisions before it."""
        rows = self.rows.get("targets", [])
        codes = {u.pk: c for c, u in self.units.items()}
        current = {(codes[t.unit_id], t.year): t for t in Target.objects.all()}
        history: dict[int, list] = defaultdict(list)
        for target_id, pk, on, old, new in TargetRevision.objects.order_by("pk").values_list(
            "target_id", "pk", "effective_on", "old_amount", "new_amount"
        ):
            history[target_id].append((pk, on, old, new))
        groups: dict[tuple, list] = defaultdict(list)
        for row in rows:
            groups[(row["unit"], row["year"])].append(row)
        creates, revisions, unchanged = [], [], 0
        reader = self.readers.get("targets")
        for key, group in groups.items():
            group.sort(key=lambda row: row["effective"])
            target = current.get(key)
            if target is None:
                first = group.pop(0)
                creates.append(first)
                original, known = first["amount"], []
                if first["effective_given"] and first["effective"] != dt.date(key[1], 1, 1):
                    self.issues.append(
                        Issue(
                            _("A new target is in force from 1 January; the date is not used."),
                            sheet=reader.title,
                            row=first["row"],
                            column=reader.column_name("effective"),
                            warning=True,
                        )
                    )
            else:
                past = history.get(target.pk, [])
                original = past[0][2] if past else target.amount
                known = [(on, pk, new) for pk, on, _old, new in past]
            for row in group:
                in_force = amount_in_force(original, known, row["effective"])
                if in_force == row["amount"]:
                    unchanged += 1
                    continue
                # planned revisions sort after every saved one of the same day
                known.append((row["effective"], (1 << 62) + len(known), row["amount"]))
                revisions.append((key, row, in_force))
        if "targets" in self.rows:
            self._count("targets", len(creates), len(revisions), unchanged)
        return creates, revisions

    #: the project columns an update changes when the file has them
    PROJECT_FIELDS = (
        "channel",
        "level",
        "requested",
        "stage",
        "applied_on",
        "owner",
        "plan_year",
        "total_investment",
        "description",
        "follow_up",
    )

    def _diff_projects(self):
        codes = [row["code"] for row in self.rows.get("projects", [])]
        current = {p.code: p for p in by_keys(Project.objects.all(), "code", codes)}
        present = self.present.get("projects", set())
        creates, updates, unchanged = [], [], 0
        for row in self.rows.get("projects", []):
            project = current.get(row["code"])
            if project is None:
                creates.append(row)
                continue
            wanted = {"name": row["name"], "unit": row["unit"]}
            for key in self.PROJECT_FIELDS:
                if key in present and row[key] is not UNKNOWN_PERSON:
                    wanted[key] = row[key]
            channel = self._channel_name(project.channel_id)
            have = {
                "name": project.name,
                "unit": self._code_of(project.unit_id),
                "channel": channel,
                "level": project.level,
                "requested": project.requested,
                "stage": project.stage,
                "applied_on": project.applied_on,
                "owner": project.owner,
                "plan_year": project.plan_year,
                "total_investment": project.total_investment,
                "description": project.description,
                "follow_up": project.follow_up_id,
            }
            if any(have[k] != v for k, v in wanted.items()):
                updates.append((project, wanted))
            else:
                unchanged += 1
        if "projects" in self.rows:
            self._count("projects", len(creates), len(updates), unchanged)
        return creates, updates

    GUIDE_FIELDS = (
        "title",
        "issuer",
        "level",
        "channel",
        "deadline",
        "published_on",
        "scope",
        "conditions",
        "materials",
    )

    def _diff_guides(self):
        """Guides by code: new ones, changed ones (only the columns the file has), and their
        units when the file names them."""
        rows = self.rows.get("guides", [])
        present = self.present.get("guides", set())
        current = {
            g.code: g
            for g in Guide.objects.filter(code__in=[r["code"] for r in rows]).prefetch_related(
                "units"
            )
        }
        column_of = {"published_on": "published"}
        creates, updates, unchanged = [], [], 0
        for row in rows:
            guide = current.get(row["code"])
            if guide is None:
                creates.append(row)
                if row["deadline"] is not None and row["deadline"] < self.today:
                    # a new guide already closed: flagged, as on the guide form
                    reader = self.readers["guides"]
                    self.issues.append(
                        Issue(
                            _("The deadline %(date)s has already passed.")
                            % {"date": row["deadline"].isoformat()},
                            sheet=reader.title,
                            row=row["row"],
                            column=reader.column_name("deadline"),
                            warning=True,
                        )
                    )
                continue
            wanted = {
                key: row[key]
                for key in self.GUIDE_FIELDS
                if column_of.get(key, key) in present or key == "title"
            }
            if wanted.get("published_on", "") is None:
                wanted.pop("published_on")  # a blank date is unknown: the known one stays
            have = {
                "title": guide.title,
                "issuer": guide.issuer,
                "level": guide.level,
                "channel": self._channel_name(guide.channel_id),
                "deadline": guide.deadline,
                "published_on": guide.published_on,
                "scope": guide.scope,
                "conditions": guide.conditions,
                "materials": guide.materials,
            }
            units = None
            if "units" in present:
                units = sorted(row["units"])
                if units != sorted(u.code for u in guide.units.all()):
                    wanted["units"] = units
            if any(have.get(k) != v for k, v in wanted.items() if k != "units") or (
                "units" in wanted
            ):
                updates.append((guide, wanted))
            else:
                unchanged += 1
        if "guides" in self.rows:
            self._count("guides", len(creates), len(updates), unchanged)
        return creates, updates

    def _channel_name(self, channel_id) -> str:
        if channel_id is None:
            return ""
        if not hasattr(self, "_channel_names"):
            self._channel_names = {c.pk: n for n, c in self.channels.items()}
        return self._channel_names.get(channel_id, "")
