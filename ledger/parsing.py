"""Mapping each sheet's rows to the plan's records (a mixin of `ledger.services._Plan`):
one parse function per sheet, each row's own problems recorded on its cells."""

import re

from django.utils.translation import gettext as _

from common.dates import DateError, parse_date
from funding.choices import LEVEL_NAMES_ZH, STAGE_NAMES_ZH, Level, Stage
from funding.record_rules import check_guide_dates, check_project, effective_date
from org.models import UnitKind
from policy.record_rules import check_division

from .cells import (
    _NODE_SEPARATORS,
    _SEPARATORS,
    MAX_NODES,
    UNKNOWN_PERSON,
    _blank,
    _Rows,
    _text,
)
from .format import UNIT_KIND_NAMES, Issue, normalise_header
from .reader import SheetSource


class SheetRows:
    """Each sheet's rows parsed into the plan's records."""

    def read(self, sources: list[SheetSource]) -> None:
        for source in sources:
            if source.sheet.key in self.rows:
                self.issues.append(Issue(_("This sheet appears twice."), sheet=source.title))
                continue
            reader = _Rows(source, self.issues)
            parse = getattr(self, f"_parse_{source.sheet.key}")
            parsed, seen = [], {}
            for count, (number, values) in enumerate(reader, start=1):
                self.tick(source.title, count)
                item = parse(reader, number, values, seen)
                if item is not None:
                    parsed.append(item)
                self.seen_rows += 1
            self.rows[source.sheet.key] = parsed
            self.present[source.sheet.key] = reader.present
            self.readers[source.sheet.key] = reader

    def _duplicate(self, reader, number, column_key, key, seen) -> bool:
        if key in seen:
            reader.error(
                number,
                reader.column_name(column_key),
                _("Duplicate of row %(row)s.") % {"row": seen[key]},
            )
            return True
        seen[key] = number
        return False

    def _parse_units(self, reader: _Rows, number, values, seen):
        code = reader.required_text(number, values, "code")
        name = reader.required_text(number, values, "name")
        kind = reader.choice(number, values, "kind", UNIT_KIND_NAMES, UnitKind)
        if code:
            self.unit_codes_seen.add(code)
        if code and self._duplicate(reader, number, "code", code, seen):
            return None
        if name and self._duplicate(reader, number, "name", ("name", name), seen):
            return None
        if None in (code, name, kind):
            return None
        leaders = [n for n in _SEPARATORS.split(_text(values.get("leader"))) if n]
        return {
            "row": number,
            "code": code,
            "name": name,
            "kind": kind or UnitKind.DEPARTMENT,
            "parent": _text(values.get("parent")),
            "leaders": leaders,
        }

    def _parse_leaders(self, reader: _Rows, number, values, seen):
        name = reader.required_text(number, values, "name")
        if name is None or self._duplicate(reader, number, "name", name, seen):
            return None
        return {"row": number, "name": name, "title": _text(values.get("title"))}

    def _parse_targets(self, reader: _Rows, number, values, seen):
        year_text = reader.required_text(number, values, "year")
        year = None
        if year_text:
            folded = normalise_header(year_text).removesuffix("年")
            if folded.isascii() and folded.isdigit() and 1900 <= int(folded) <= 2200:
                year = int(folded)
            else:
                reader.error(
                    number,
                    reader.column_name("year"),
                    _("“%(text)s” is not a year.") % {"text": year_text},
                )
        unit = reader.required_text(number, values, "unit")
        amount = reader.amount(number, values, "amount")
        effective = reader.date(number, values, "effective", required=False)
        bad_date = effective is None and not _blank(values.get("effective"))
        if effective is not None and year is not None:
            kept = reader.obeys(
                number, "effective", effective_date, year, effective, today=self.today
            )
            bad_date = bad_date or not kept
        reason = _text(values.get("reason"))
        if None in (year, unit, amount) or bad_date:
            return None
        # without a date, a change takes effect on the import day (kept inside the year)
        given = effective is not None
        effective = effective_date(year, effective, today=self.today)
        if self._duplicate(reader, number, "unit", (year, unit, effective), seen):
            return None
        return {
            "row": number,
            "year": year,
            "unit": unit,
            "amount": amount,
            "effective": effective,
            "effective_given": given,
            "reason": reason,
        }

    def _parse_projects(self, reader: _Rows, number, values, seen):
        code = reader.required_text(number, values, "code")
        name = reader.required_text(number, values, "name")
        unit = reader.required_text(number, values, "unit")
        level = reader.choice(number, values, "level", LEVEL_NAMES_ZH, Level)
        stage = reader.choice(number, values, "stage", STAGE_NAMES_ZH, Stage)
        if code and unit:
            self.project_units_seen.setdefault(code, unit)
        requested = reader.amount(number, values, "requested", required=False)
        applied_on = reader.date(number, values, "applied_on", required=False)
        total = reader.amount(number, values, "total_investment", required=False)
        bad_requested = requested is None and not _blank(values.get("requested"))
        bad_date = applied_on is None and not _blank(values.get("applied_on"))
        bad_total = total is None and not _blank(values.get("total_investment"))
        plan_year, bad_year = self._plan_year(reader, number, values)
        follow_up = self._follow_up(reader, number, values, unit)
        if code and self._duplicate(reader, number, "code", code, seen):
            return None
        bad = bad_requested or bad_date or bad_total or bad_year
        if None in (code, name, unit, level, stage) or bad:
            return None
        return {
            "row": number,
            "code": code,
            "name": name,
            "unit": unit,
            "channel": _text(values.get("channel")),
            "level": level,
            "requested": requested,
            "stage": stage or Stage.RESERVE,
            "applied_on": applied_on,
            "owner": _text(values.get("owner")),
            "plan_year": plan_year,
            "total_investment": total,
            "description": _text(values.get("description")),
            "follow_up": follow_up,
        }

    def _plan_year(self, reader: _Rows, number, values) -> tuple[int | None, bool]:
        """(the project's plan year or None, whether the cell was bad)."""
        text = _text(values.get("plan_year"))
        if not text:
            return None, False
        folded = normalise_header(text).removesuffix("年")
        # text that is no number is out of every range: the rule's own message says which
        year = int(folded) if folded.isascii() and folded.isdigit() else -1
        if reader.obeys(number, "plan_year", check_project, {"plan_year": year}):
            return year, False
        return None, True

    def _follow_up(self, reader: _Rows, number, values, unit: str | None):
        """The follow-up person's user id: a person of the project's unit, by login name, or by
        name when only one person of the unit has it. None for an empty cell; UNKNOWN_PERSON
        (with a warning) for a person this database does not know — a ledger moved to another
        city's Luoshi carries no accounts — and then the project keeps the one it has."""
        text = _text(values.get("follow_up"))
        if not text or unit is None:
            return None
        if self._people is None:
            from org.models import Membership

            self._people = {}
            names: dict[tuple[str, str], list[int]] = {}
            for user_id, code, login, name in Membership.objects.filter(
                user__is_active=True
            ).values_list("user_id", "unit__code", "user__username", "user__first_name"):
                self._people.setdefault(code, {})[login] = user_id
                if name:
                    names.setdefault((code, name), []).append(user_id)
            for (code, name), ids in names.items():
                # a name two people share names nobody (None: ambiguous)
                self._people[code].setdefault(name, ids[0] if len(ids) == 1 else None)
        person = self._people.get(unit, {}).get(text)
        if person is not None:
            return person
        self.issues.append(
            Issue(
                _(
                    "No person “%(name)s” in unit %(unit)s (give their login name): the project "
                    "keeps its follow-up person."
                )
                % {"name": text, "unit": unit},
                sheet=reader.title,
                row=number,
                column=reader.column_name("follow_up"),
                warning=True,
            )
        )
        return UNKNOWN_PERSON

    def _parse_receipts(self, reader: _Rows, number, values, seen):
        unit = reader.required_text(number, values, "unit")
        # cells only: a zero amount or a date out of bounds is the receipt rule's to refuse
        # (`check_receipt`, in `_diff_receipts`), as on every other path
        amount = reader.amount(number, values, "amount")
        on = reader.date(number, values, "date")
        level = reader.choice(number, values, "level", LEVEL_NAMES_ZH, Level)
        if None in (unit, amount, on, level):
            return None
        doc_no = _text(values.get("doc_no"))
        if self._duplicate(reader, number, "amount", (unit, on, amount, doc_no), seen):
            return None
        return (
            number,
            unit,
            amount,
            on,
            doc_no,
            _text(values.get("project")),
            _text(values.get("channel")),
            level,
        )

    def _parse_work_items(self, reader: _Rows, number, values, seen):
        code = reader.required_text(number, values, "code")
        title = reader.required_text(number, values, "title")
        leader = reader.required_text(number, values, "lead_leader")
        lead_unit = reader.required_text(number, values, "lead_unit")
        due_on = reader.date(number, values, "due_on")
        nodes = self._parse_nodes(reader, number, _text(values.get("milestones")))
        if code and self._duplicate(reader, number, "code", code, seen):
            return None
        if None in (code, title, leader, lead_unit, due_on, nodes):
            return None
        co_units = [c for c in _SEPARATORS.split(_text(values.get("co_units"))) if c]
        if not reader.obeys(number, "co_units", check_division, lead_unit, co_units):
            return None
        return {
            "row": number,
            "code": code,
            "title": title,
            "policy": _text(values.get("policy")),
            "measure": _text(values.get("measure")),
            "lead_leader": leader,
            "lead_unit": lead_unit,
            "co_units": list(dict.fromkeys(co_units)),
            "due_on": due_on,
            "milestones": nodes,
            "goal": _text(values.get("goal")),
        }

    def _parse_nodes(self, reader: _Rows, number: int, text: str):
        """时间节点: one per line (or ；), each "date what", e.g. "2024-09-30 完成可研批复"."""
        nodes, titles = [], set()
        for part in _NODE_SEPARATORS.split(text):
            part = part.strip()
            if not part:
                continue
            day, _sep, title = re.sub(r"[:：]", " ", part, count=1).partition(" ")
            title = title.strip()
            try:
                due_on = parse_date(day)
            except DateError as exc:
                reader.error(number, reader.column_name("milestones"), f"“{part}”: {exc}")
                return None
            if not title or len(title) > 200 or title in titles:
                reader.error(
                    number,
                    reader.column_name("milestones"),
                    _(
                        "“%(node)s”: write each time node as a date and what is done by then, "
                        "at most 200 characters, each once."
                    )
                    % {"node": part},
                )
                return None
            titles.add(title)
            nodes.append((due_on, title))
        if len(nodes) > MAX_NODES:
            reader.error(
                number,
                reader.column_name("milestones"),
                _("At most %(n)s time nodes per item.") % {"n": MAX_NODES},
            )
            return None
        return nodes

    def _parse_guides(self, reader: _Rows, number, values, seen):
        code = reader.required_text(number, values, "code")
        title = reader.required_text(number, values, "title")
        issuer = _text(values.get("issuer"))
        if "issuer" in reader.present and not issuer:
            reader.error(number, reader.column_name("issuer"), _("This cell must not be empty."))
            issuer = None
        level = reader.choice(number, values, "level", LEVEL_NAMES_ZH, Level)
        deadline = reader.date(number, values, "deadline", required=False)
        published = reader.date(number, values, "published", required=False)
        bad_dates = (deadline is None and not _blank(values.get("deadline"))) or (
            published is None and not _blank(values.get("published"))
        )
        if code and self._duplicate(reader, number, "code", code, seen):
            return None
        if None in (code, title, issuer, level) or bad_dates:
            return None
        # a ledger is a record of the past (design §4): a missing 发布日期 is unknown, never
        # today (which would put a past deadline before it); a past deadline is closed
        if not reader.obeys(number, "deadline", check_guide_dates, published, deadline):
            return None
        return {
            "row": number,
            "code": code,
            "title": title,
            "issuer": issuer or _("Not given"),
            "level": level,
            "channel": _text(values.get("channel")),
            "deadline": deadline,
            "published_on": published,
            "scope": _text(values.get("scope")),
            "conditions": _text(values.get("conditions")),
            "materials": _text(values.get("materials")),
            "units": [c for c in _SEPARATORS.split(_text(values.get("units"))) if c],
        }
