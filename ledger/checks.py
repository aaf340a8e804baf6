"""Cross-checks of the parsed rows against the file and the database (a mixin of
`ledger.services._Plan`): codes, names, leaders, channels, the unit tree, work items."""

from collections import defaultdict

from django.utils.translation import gettext as _

from funding.models import (
    Channel,
)
from org.models import Leader, Unit
from org.tree import LOOP_MESSAGE, find_loops
from policy.meetings import DECISIONS_POLICY
from policy.models import Measure, Policy, WorkItem

from .cells import (
    _Rows,
)
from .format import Issue, normalise_header


class CrossChecks:
    """The rows checked against each other and the stored records."""

    def check(self) -> None:
        self.units = {u.code: u for u in Unit.objects.all()}
        self.leaders = {leader.name: leader for leader in Leader.objects.all()}
        self.channels = {c.name: c for c in Channel.objects.all()}
        file_units = self.unit_codes_seen
        file_leaders = {leader["name"] for leader in self.rows.get("leaders", [])}
        known_units = file_units | set(self.units)

        def unknown_unit(sheet_key: str, row: int, code: str, column_key: str = "unit") -> None:
            reader = self.readers[sheet_key]
            reader.error(
                row,
                reader.column_name(column_key),
                _("Unknown unit code “%(code)s”.") % {"code": code},
            )

        # unit names stay unique across the database and the file
        final_names = {code: unit.name for code, unit in self.units.items()}
        for unit in self.rows.get("units", []):
            final_names[unit["code"]] = unit["name"]
        owners = defaultdict(list)
        for code, name in final_names.items():
            owners[name].append(code)
        for unit in self.rows.get("units", []):
            if len(owners[unit["name"]]) > 1:
                others = [c for c in owners[unit["name"]] if c != unit["code"]]
                self.readers["units"].error(
                    unit["row"],
                    self.readers["units"].column_name("name"),
                    _("The name is already used by unit %(code)s.") % {"code": others[0]},
                )
            if unit["parent"] and unit["parent"] not in known_units:
                unknown_unit("units", unit["row"], unit["parent"], "parent")
            for name in unit["leaders"]:
                if name not in file_leaders and name not in self.leaders:
                    self.readers["units"].error(
                        unit["row"],
                        self.readers["units"].column_name("leader"),
                        _("Unknown leader “%(name)s”.") % {"name": name},
                    )
        self._check_unit_tree(known_units)
        for target in self.rows.get("targets", []):
            if target["unit"] not in known_units:
                unknown_unit("targets", target["row"], target["unit"])

        # channels: an unknown name is created when some row gives its level
        self.new_channels: dict[str, str] = {}
        for project in self.rows.get("projects", []):
            if project["channel"] and project["channel"] not in self.channels and project["level"]:
                self.new_channels.setdefault(project["channel"], project["level"])
        for receipt in self.rows.get("receipts", []):
            if receipt[6] and receipt[6] not in self.channels and receipt[7]:
                self.new_channels.setdefault(receipt[6], receipt[7])
        for guide in self.rows.get("guides", []):
            if guide["channel"] and guide["channel"] not in self.channels and guide["level"]:
                self.new_channels.setdefault(guide["channel"], guide["level"])

        def unknown_channel(sheet_key: str, row: int, name: str) -> None:
            reader = self.readers[sheet_key]
            reader.error(
                row,
                reader.column_name("channel"),
                _("Unknown funding channel “%(name)s”; give its level to create it.")
                % {"name": name},
            )

        for project in self.rows.get("projects", []):
            if project["unit"] not in known_units:
                unknown_unit("projects", project["row"], project["unit"])
            name = project["channel"]
            if name and name not in self.channels and name not in self.new_channels:
                unknown_channel("projects", project["row"], name)
        # receipts: codes and names the file maps to units and channels; the rest of a
        # receipt's checks is the receipt rule's (`_diff_receipts`)
        self.receipts_unmapped: set[int] = set()
        for row, unit, _amount, _on, _doc, _project, channel, _level in self.rows.get(
            "receipts", []
        ):
            if unit not in known_units:
                unknown_unit("receipts", row, unit)
                self.receipts_unmapped.add(row)
            if channel and channel not in self.channels and channel not in self.new_channels:
                unknown_channel("receipts", row, channel)
                self.receipts_unmapped.add(row)
        self._check_work_items(known_units, file_leaders)
        self._check_counterparts(known_units)
        guides = self.readers.get("guides")
        for guide in self.rows.get("guides", []):
            name = guide["channel"]
            if name and name not in self.channels and name not in self.new_channels:
                unknown_channel("guides", guide["row"], name)
            if not guide["level"]:
                level = self._level_of_channel(name) if name else ""
                if level:
                    guide["level"] = level
                else:
                    guides.error(
                        guide["row"],
                        guides.column_name("level"),
                        _("Give the level (中央、省级、市级), or a channel that has one."),
                    )
            for code in guide["units"]:
                if code not in known_units:
                    unknown_unit("guides", guide["row"], code, "units")
        # duplicate claims are errors too: look for them whatever else is wrong, so that
        # every error of the file is listed at once
        self.receipt_changes = self._diff_receipts()
        if not self.result.ok:
            return
        self.plan_counts()

    def _check_work_items(self, known_units: set[str], file_leaders: set[str]) -> None:
        """Units, leaders, the policy and its measure of each 工作事项 row must exist."""
        rows = self.rows.get("work_items", [])
        if not rows:
            return
        reader = self.readers["work_items"]
        policies = list(Policy.objects.all())
        by_name = {}
        for policy in policies:
            for name in (policy.title, policy.short_name, policy.short_name.strip("《》")):
                if name:
                    by_name[normalise_header(name)] = policy
        items = {
            code: policy_id for code, policy_id in WorkItem.objects.values_list("code", "policy_id")
        }
        measures = {(m.policy_id, m.code): m.pk for m in Measure.objects.all()}
        with_measures = {policy_id for policy_id, _code in measures}
        for row in rows:
            number = row["row"]
            for key in ("lead_unit", "co_units"):
                codes = row[key] if key == "co_units" else [row[key]]
                for code in codes:
                    if code not in known_units:
                        reader.error(
                            number,
                            reader.column_name(key),
                            _("Unknown unit code “%(code)s”.") % {"code": code},
                        )
            if row["lead_leader"] not in file_leaders and row["lead_leader"] not in self.leaders:
                reader.error(
                    number,
                    reader.column_name("lead_leader"),
                    _("Unknown leader “%(name)s”.") % {"name": row["lead_leader"]},
                )
            policy_id = None
            if row["policy"]:
                policy = by_name.get(normalise_header(row["policy"]))
                if policy is None:
                    # a policy named here that the office has not registered yet is created
                    # with this name as its title (the office completes it by form)
                    self.new_policies.setdefault(row["policy"], number)
                    row["policy_id"], row["measure_id"] = row["policy"], None
                    if row["measure"]:
                        self._measure_not_set(reader, number, row["measure"])
                    continue
                policy_id = policy.pk
            elif row["code"] in items:
                policy_id = items[row["code"]]
            elif len(documents := [p for p in policies if p.title != DECISIONS_POLICY]) == 1:
                # the one policy document (meetings' decisions are not a document's items)
                policy_id = documents[0].pk
            else:
                reader.error(
                    number,
                    reader.column_name("policy") if "policy" in reader.present else "",
                    _("Name the policy of a new work item (column 政策文件)."),
                )
                continue
            row["policy_id"] = policy_id
            row["measure_id"] = None
            if row["measure"]:
                row["measure_id"] = measures.get((policy_id, row["measure"]))
                if row["measure_id"] is not None:
                    continue
                if policy_id in with_measures:
                    reader.error(
                        number,
                        reader.column_name("measure"),
                        _("The policy has no measure “%(code)s”.") % {"code": row["measure"]},
                    )
                else:
                    self._measure_not_set(reader, number, row["measure"])

    def _measure_not_set(self, reader: _Rows, number: int, code: str) -> None:
        self.issues.append(
            Issue(
                _(
                    "The policy has no measures entered yet: the item is imported without "
                    "measure “%(code)s”; the office enters the measures by form."
                )
                % {"code": code},
                sheet=reader.title,
                row=number,
                column=reader.column_name("measure"),
                warning=True,
            )
        )

    def _check_unit_tree(self, known_units: set[str]) -> None:
        """The file's 上级单位编码 with the stored tree must not loop: the rule `save_unit`
        applies (org.tree), told with its message on each row that closes a loop."""
        if "parent" not in self.present.get("units", set()):
            return
        existing = {
            code: self._code_of(unit.parent_id) or None for code, unit in self.units.items()
        }
        proposed = {
            row["code"]: row["parent"] or None
            for row in self.rows["units"]
            if not row["parent"] or row["parent"] in known_units
        }
        looping = find_loops(existing, proposed)
        reader = self.readers["units"]
        for row in self.rows["units"]:
            if row["code"] in looping:
                reader.error(row["row"], reader.column_name("parent"), str(LOOP_MESSAGE))

    def _level_of_channel(self, name: str) -> str:
        if name in self.channels:
            return self.channels[name].level
        return self.new_channels.get(name, "")
