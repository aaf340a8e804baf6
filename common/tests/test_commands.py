"""Commands that write name themselves as the actor ("luoshi <command>"), never nobody."""

import importlib
import pkgutil
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from audit.commands import SystemCommand
from audit.context import UNATTRIBUTED, current_actor
from audit.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]

# Commands that write nothing a person could be blamed for, and why.
WRITE_NOTHING = {
    "backup": "reads the database into a file",
    "serve": "runs the web app; each request names its user, its anchoring thread itself",
    "summary": "prints figures",
    "forecast": "prints the year-end forecast",
    "match_guides": "prints the reserve projects that fit each guide",
    "bench": "times pages and a query; reads only (log-in sessions in signed cookies)",
    "flush": "empties a test database, audit trail included (refused on any other database)",
    "ledger_cleanup": "deletes expired upload files; the database is not touched",
    "reminder_effect": "prints the effect of urging",
    "draft_items": "prints the work items drafted from a policy text; nothing is saved",
}


def project_commands() -> dict[str, type]:
    commands = {}
    for app in apps.get_app_configs():
        if not Path(app.path).is_relative_to(ROOT) or ".venv" in Path(app.path).parts:
            continue
        folder = Path(app.path) / "management" / "commands"
        for info in pkgutil.iter_modules([str(folder)]):
            module = importlib.import_module(f"{app.name}.management.commands.{info.name}")
            commands[info.name] = module.Command
    return commands


def test_there_are_commands_to_check():
    assert {"demo", "import_ledger", "restore", "audit_prune"} <= set(project_commands())


@pytest.mark.parametrize("name", sorted(project_commands()))
def test_each_command_writes_as_itself_or_writes_nothing(name):
    command = project_commands()[name]
    if name in WRITE_NOTHING:
        assert not issubclass(command, SystemCommand), f"{name} is declared as writing nothing"
        return
    assert issubclass(command, SystemCommand), (
        f"the command {name} writes: derive it from audit.commands.SystemCommand so its audit "
        "events name it, or declare in WRITE_NOTHING why it writes nothing"
    )


def test_outside_a_request_or_a_command_nobody_is_named():
    assert current_actor() == UNATTRIBUTED


@pytest.mark.django_db
def test_the_demo_command_writes_as_luoshi_demo():
    call_command("demo", stdout=StringIO())
    names = set(AuditEvent.objects.values_list("actor_name", flat=True))
    assert names == {"luoshi demo"}


@pytest.mark.django_db
def test_ledger_commands_write_as_themselves(tmp_path):
    from org.services import save_unit

    save_unit(user=None, code="ZJJ", name="市住房和城乡建设局")
    before = AuditEvent.objects.order_by("-id").first().pk  # ids, not counts: PG never reuses
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "到位资金.csv").write_text(
        "单位编码,金额（万元）,到位日期,文号\nZJJ,12,2024-06-01,命令测试〔2024〕1号\n",
        encoding="utf-8",
    )
    call_command("import_ledger", str(folder), stdout=StringIO(), stderr=StringIO())
    imported = AuditEvent.objects.filter(id__gt=before)
    assert imported.exists()
    assert set(imported.values_list("actor_name", flat=True)) == {"luoshi import_ledger"}
    last = AuditEvent.objects.order_by("-id").first().pk
    call_command("export_ledger", str(tmp_path / "out.xlsx"), stdout=StringIO())
    exported = AuditEvent.objects.filter(id__gt=last).get()
    assert (exported.action, exported.actor_name) == ("ledger.exported", "luoshi export_ledger")
