"""The ledger's 对口联系 sheet (counterpart directory, design §12): one row per person of a
higher-level department — 上级部门, 层级, 姓名, 职务, 电话, 对接单位编码 (codes separated by 、).

A mixin of the import plan (`ledger.services._Plan`): rows are parsed, checked against the
file's and the database's units, counted for the preview and written through
`funding.directory.services.bulk_save_counterparts` in the import's audit batch. The rows of
one department are merged: its units are those any of its rows names (a sheet without the
column leaves them as they are), its people upserted by name (none removed)."""

from django.utils.translation import gettext as _

from funding.choices import LEVEL_NAMES_ZH, Level
from funding.directory.queries import diff_counterparts
from funding.directory.services import bulk_save_counterparts
from funding.models import Counterpart, CounterpartPerson

from .format import COUNTERPARTS

SEPARATORS = "、,，;；/ "


def max_lengths() -> dict[str, int]:
    def size(model, name: str) -> int:
        return model._meta.get_field(name).max_length

    return {
        "department": size(Counterpart, "name"),
        "person": size(CounterpartPerson, "name"),
        "post": size(CounterpartPerson, "post"),
        "phone": size(CounterpartPerson, "phone"),
    }


def _codes(text: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, SEPARATORS[0])
    return [c for c in text.split(SEPARATORS[0]) if c]


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class CounterpartSheet:
    """The 对口联系 sheet's part of the import plan."""

    def _parse_counterparts(self, reader, number, values, seen):
        name = reader.required_text(number, values, "department")
        level = reader.choice(number, values, "level", LEVEL_NAMES_ZH, Level)
        person = _text(values.get("person"))
        if name and person and self._duplicate(reader, number, "person", (name, person), seen):
            return None
        if name is None or level is None:
            return None
        if not person and (_text(values.get("post")) or _text(values.get("phone"))):
            reader.error(
                number,
                reader.column_name("person"),
                _("A post or phone needs the person's name."),
            )
            return None
        return {
            "row": number,
            "name": name,
            "level": level,
            "person": (person, _text(values.get("post")), _text(values.get("phone")))
            if person
            else None,
            "units": _codes(_text(values.get("units"))),
        }

    def _check_counterparts(self, known_units: set[str]) -> None:
        reader = self.readers.get("counterparts")
        for row in self.rows.get("counterparts", []):
            for code in row["units"]:
                if code not in known_units:
                    reader.error(
                        row["row"],
                        reader.column_name("units"),
                        _("Unknown unit code “%(code)s”.") % {"code": code},
                    )

    def _counterpart_rows(self, unit_id: dict[str, int] | None = None) -> list[dict]:
        """The sheet's rows merged per department, unit codes as ids (None: database ids)."""
        if unit_id is None:
            unit_id = {code: unit.pk for code, unit in self.units.items()}
        merged: dict[str, dict] = {}
        with_units = "units" in self.present.get("counterparts", set())
        for row in self.rows.get("counterparts", []):
            entry = merged.setdefault(row["name"], {"name": row["name"], "level": "", "people": []})
            entry["level"] = row["level"] or entry["level"]
            if with_units:
                ids = entry.setdefault("unit_ids", [])
                ids += [unit_id[c] for c in row["units"] if c in unit_id and unit_id[c] not in ids]
            if row["person"]:
                entry["people"].append(row["person"])
        return list(merged.values())

    def _count_counterparts(self) -> None:
        if "counterparts" in self.rows:
            # units new in this file have no id yet: their departments count as updated
            self._count("counterparts", *diff_counterparts(self._counterpart_rows()))

    def _write_counterparts(self, user, audit, unit_id: dict[str, int]) -> None:
        if "counterparts" in self.rows:
            bulk_save_counterparts(user=user, audit=audit, rows=self._counterpart_rows(unit_id))


def counterpart_rows():
    """The export's rows: one per person, a department without people as one row."""
    from funding.models import Counterpart

    from .format import LEVEL_ZH

    for c in Counterpart.objects.prefetch_related("people", "units").order_by("name"):
        units = "、".join(u.code for u in c.units.all())
        people = list(c.people.all()) or [None]
        for p in people:
            yield (
                c.name,
                LEVEL_ZH.get(c.level, ""),
                p.name if p else "",
                p.post if p else "",
                p.phone if p else "",
                units,
            )


__all__ = ["COUNTERPARTS", "CounterpartSheet", "counterpart_rows", "max_lengths"]
