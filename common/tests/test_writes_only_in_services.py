"""Only `services.py` files write models: a scan of the project's code that fails otherwise.

Views, commands, forms, querysets and helpers call a service; the service checks permission,
applies the rule, writes and records the audit event in one transaction. A write anywhere else
skips some of that. The scan reads the source (no import), so it also sees code no test runs.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Methods that always write when called on a model instance, manager or queryset.
ALWAYS = {
    "save",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "_raw_delete",
}
# Methods that write on a manager or queryset, but share their name with dict/set methods:
# flagged when the receiver is visibly a manager or queryset (`X.objects…`, `….filter(…)`).
ON_QUERYSETS = {"create", "update"}
QUERYSET_MARKERS = {
    "objects",
    "_base_manager",
    "_default_manager",
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "annotate",
    "visible_to",
}

# Methods of a many-to-many or reverse relation manager that write (`leader.oversees.set(…)`).
ON_RELATIONS = {"add", "set", "remove", "clear"}
# Raw SQL that writes: `cursor.execute("UPDATE …")`.
ON_CURSORS = {"execute", "executemany"}
SQL_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "TRUNCATE")

# Files outside services.py allowed to write, each with the reason. Keep this list short.
BULK_HELPERS = {
    # to be moved into bulk services: synthetic scale data for the query-count tests and the
    # benchmark only; never run against real data.
    "demo/scale.py": "synthetic scale data (tests, benchmark), to be moved into bulk services",
    # `luoshi synth`: a million receipts in minutes on a database holding only the demo
    # (refused otherwise); straight bulk inserts, one audit event for the run.
    "demo/synth.py": "province-scale synthetic data (benchmark only), bulk inserts",
    # derived tables only (the receipt rollups), recomputed from the receipts by the migration
    # that creates them; the triggers it installs keep them from then on
    "funding/rollup_triggers.py": "rebuilds the receipt rollups (derived data) from receipts",
    # the data stamps' two rows, created with the triggers that alone write them from then on
    # (derived data: a value that changes with every write, no record of anyone's)
    "common/stamps.py": "installs the data stamps' rows and triggers (derived data)",
    # test support, never imported by the app: copies the session's demo snapshot into the
    # database of each test that asks for the demo
    "demo/testing.py": "test support: restores the demo snapshot for a test",
}
# Names that are not models although they have a `save`/`delete` (workbooks, files, sessions).
NOT_MODELS = {
    "workbook",
    "session",
    "storage",
    "default_storage",
    "zipfile",
    "archive",
    "image",  # a Pillow image (bulletin charts)
    "document",  # a python-docx document (bulletins, briefings)
}


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}"


def _chain(node: ast.AST) -> list[str]:
    """Names along a receiver: `Unit.objects.filter(x=1)` → ["Unit", "objects", "filter"]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return list(reversed(names))
        else:
            return list(reversed(names))


def relation_names() -> set[str]:
    """Accessor names of the project's many-to-many fields and reverse relations."""
    from django.apps import apps

    names = set()
    for model in apps.get_models():
        if not Path(apps.get_app_config(model._meta.app_label).path).is_relative_to(ROOT):
            continue
        for field in model._meta.get_fields():
            if field.many_to_many or field.one_to_many:
                accessor = field.get_accessor_name() if field.auto_created else field.name
                if accessor:
                    names.add(accessor)
    return names


def _sql_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return ""


def writes_in(source: str, path: str, relations: frozenset[str] = frozenset()) -> list[Write]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = _chain(node.func.value)
        if method in ALWAYS:
            if receiver and (receiver[-1] in NOT_MODELS or receiver[0] in {"super"}):
                continue
        elif method in ON_QUERYSETS:
            if not QUERYSET_MARKERS & set(receiver):
                continue
        elif method in ON_RELATIONS:
            if not (len(receiver) > 1 and receiver[-1] in relations):
                continue
        elif method in ON_CURSORS:
            sql = _sql_text(node.args[0]) if node.args else ""
            if not sql.lstrip().upper().startswith(SQL_WRITES):
                continue
        else:
            continue
        found.append(Write(path, node.lineno, ast.unparse(node.func)[:80]))
    return found


def project_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if parts[0].startswith(".") or parts[0] in {"var", "build", "test-artifacts"}:
            continue
        if "tests" in parts or "migrations" in parts or path.name in {"conftest.py"}:
            continue
        if path.name == "services.py" or "services" in parts[:-1]:  # a services package
            continue
        files.append(path)
    return files


def test_it_sees_writes_and_ignores_dicts():
    source = """
unit.save()
Unit.objects.create(code="A")
Unit.objects.filter(pk=1).update(name="B")
Receipt.objects.bulk_create(rows)
leader.delete()
Target.objects.get_or_create(unit=u)
options.update(more)          # a dict
seen.update(ids)              # a set
workbook.save("x.xlsx")       # not a model
request.session.save()        # not a model
leader.oversees.set(units)
self.unknown_years.add(2030)  # a set
cursor.execute("UPDATE org_unit SET name = %s", [name])
cursor.execute(f"DELETE FROM {table} WHERE id > %s", [n])
cursor.execute("SELECT 1")
"""
    calls = [w.call for w in writes_in(source, "x.py", frozenset({"oversees"}))]
    assert calls == [
        "unit.save",
        "Unit.objects.create",
        "Unit.objects.filter(pk=1).update",
        "Receipt.objects.bulk_create",
        "leader.delete",
        "Target.objects.get_or_create",
        "leader.oversees.set",
        "cursor.execute",
        "cursor.execute",
    ]


def test_it_knows_the_relations_that_write():
    assert {"oversees", "assignments", "milestones"} <= relation_names()


def test_the_scan_covers_the_apps():
    scanned = {str(p.relative_to(ROOT)) for p in project_files()}
    assert {"org/views.py", "funding/views.py", "demo/loader.py", "ledger/views.py"} <= scanned
    assert not {p for p in scanned if p.endswith("services.py") or "/services/" in p}


def test_no_module_outside_services_writes_a_model():
    relations = frozenset(relation_names())
    offenders = []
    for path in project_files():
        relative = str(path.relative_to(ROOT))
        if relative in BULK_HELPERS:
            continue
        offenders += writes_in(path.read_text(encoding="utf-8"), relative, relations)
    assert not offenders, (
        "writes outside services.py (move them into the app's services.py, which checks "
        "permission and records the audit event):\n" + "\n".join(map(str, offenders))
    )


def test_the_allowed_bulk_helpers_still_exist_and_still_write():
    for relative in BULK_HELPERS:
        path = ROOT / relative
        assert path.exists(), f"{relative} is gone: drop it from BULK_HELPERS"
        assert writes_in(path.read_text(encoding="utf-8"), relative, frozenset()), (
            f"{relative} no longer writes: drop it from BULK_HELPERS"
        )
