import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from funding.models import Receipt
from ledger.services import import_ledger
from org.models import Unit
from org.services import save_unit

from .helpers import GOOD, write_xlsx

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_import_command_exits_0_with_a_summary(tmp_path, capsys):
    path = write_xlsx(tmp_path / "good.xlsx", GOOD)
    out = io.StringIO()
    call_command("import_ledger", str(path), "--dry-run", stdout=out)
    assert "试运行" in out.getvalue() and Unit.objects.count() == 0
    out = io.StringIO()
    call_command("import_ledger", str(path), stdout=out)
    line = out.getvalue().strip()
    assert "\n" not in line
    assert "到位资金：新增 2，更新 0，未变 0" in line
    assert Receipt.objects.count() == 2


@pytest.mark.django_db
def test_import_command_exits_1_listing_every_error(tmp_path):
    sheets = {"到位资金": [["单位编码", "金额（万元）", "到位日期"], ["X", -1, "2024-02-30"]]}
    path = write_xlsx(tmp_path / "bad.xlsx", sheets)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_ledger", str(path), stderr=err)
    assert exit_.value.code == 1
    text = err.getvalue()
    assert "到位资金 / 2 / 金额（万元）: 金额不能为负数。" in text
    assert "到位资金 / 2 / 到位日期" in text
    assert "未写入任何数据" in text
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_export_neutralises_formulas_and_reimport_restores_them(tmp_path):
    save_unit(user=None, code="EVIL", name='=HYPERLINK("http://x","点我")')
    save_unit(user=None, code="AT", name="@SUM(1)")
    path = tmp_path / "out.xlsx"
    call_command("export_ledger", str(path), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(path)["单位"]
    names = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert names["EVIL"].value == '\'=HYPERLINK("http://x","点我")'
    assert names["EVIL"].data_type == "s" and names["AT"].value == "'@SUM(1)"
    assert sheet.freeze_panes == "A2"
    result = import_ledger(path, user=None)
    assert result.ok and result.changed == 0
    assert Unit.objects.get(code="EVIL").name.startswith("=HYPERLINK")


@pytest.mark.django_db
def test_export_writes_exact_wan_amounts(tmp_path, demo):
    path = tmp_path / "out.xlsx"
    call_command("export_ledger", str(path), "--year", "2024", stdout=io.StringIO())
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "单位",
        "领导",
        "争取任务",
        "项目",
        "到位资金",
        "申报指南",
        "工作事项",
        "对口联系",
    ]
    receipts = book["到位资金"]
    assert [c.value for c in receipts[1]] == [
        "单位编码",
        "金额（万元）",
        "到位日期",
        "项目编号",
        "文号",
        "资金渠道",
        "层级",
    ]
    total = sum(round(r[1].value * 10_000) for r in receipts.iter_rows(min_row=2))
    assert total == sum(
        Receipt.objects.filter(received_on__year=2024).values_list("amount", flat=True)
    )
    assert receipts["B2"].number_format == "#,##0.####"


def _luoshi(data_dir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(env or {k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
    env["LUOSHI_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "luoshi.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_round_trip_into_an_empty_database_gives_the_same_summary(tmp_path, demo_data_dir):
    (source, source_env), empty = demo_data_dir, tmp_path / "b"  # source: migrated, demo loaded
    ledger = tmp_path / "ledger.xlsx"
    summary = ("summary", "--year", "2024", "--as-of", "2024-06-30", "--format", "json")
    assert _luoshi(source, "export_ledger", str(ledger), env=source_env).returncode == 0
    expected = json.loads(_luoshi(source, *summary, env=source_env).stdout)
    assert _luoshi(empty, "migrate", "-v0").returncode == 0
    first = _luoshi(empty, "import_ledger", str(ledger))
    assert first.returncode == 0, first.stderr
    assert json.loads(_luoshi(empty, *summary).stdout) == expected
    assert expected["counts"] == {"completed": 1, "ahead": 4, "behind": 8, "none": 4}
    again = _luoshi(empty, "import_ledger", str(ledger))
    assert again.returncode == 0 and "新增 0，更新 0" in again.stdout
    bad = tmp_path / "bad.xlsx"
    write_xlsx(bad, {"单位": [["单位名称"], ["x"]]})
    failed = _luoshi(empty, "import_ledger", str(bad))
    assert failed.returncode == 1 and "缺少必填列" in failed.stderr
