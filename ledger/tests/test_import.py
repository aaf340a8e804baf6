import copy
import datetime as dt

import pytest
from django.utils import translation

from audit.models import AuditEvent
from funding.models import Channel, Project, Receipt, Target, TargetRevision
from ledger.services import import_ledger
from org.models import Leader, Unit
from org.period import ReportingPeriod
from reporting.read_model import SYSTEM, figures_for

from .factories import receipt
from .helpers import GOOD, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def zjj(db) -> Unit:
    """The unit the files below name, with a receipt of its own (not the whole demo)."""
    from org.tests.factories import UnitFactory

    unit = UnitFactory(code="ZJJ", name="市住房和城乡建设局")
    receipt(unit, 2_000_000, dt.date(2024, 4, 1), doc_no="建城〔2024〕3号")
    return unit


def run(tmp_path, sheets, **options):
    path = write_xlsx(tmp_path / "ledger.xlsx", sheets)
    return import_ledger(path, user=None, **options)


def errors_of(result):
    return [(i.sheet, i.row, i.column, i.message) for i in result.errors]


def state():
    summary = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30))).summary.as_json()
    counts = [m.objects.count() for m in (Unit, Leader, Target, Project, Receipt, Channel)]
    return summary, counts, AuditEvent.objects.count()


def test_it_imports_a_good_ledger_with_audit(tmp_path):
    result = run(tmp_path, GOOD)
    assert result.ok, errors_of(result)
    assert {k: (c.created, c.updated, c.unchanged) for k, c in result.counts.items()} == {
        "units": (2, 0, 0),
        "leaders": (1, 0, 0),
        "targets": (2, 0, 0),
        "projects": (1, 0, 0),
        "receipts": (2, 0, 0),
    }
    town = Unit.objects.get(code="B02")
    assert town.kind == "township" and town.parent.code == "A01"
    assert list(Leader.objects.get(name="王强").oversees.values_list("code", flat=True)) == ["A01"]
    channel = Channel.objects.get(name="新渠道")
    assert channel.level == "provincial"
    receipt = Receipt.objects.get(unit__code="A01")
    assert receipt.amount == 2_000_000 and receipt.project.code == "P1"
    assert receipt.level == "provincial"  # from its channel, as record_receipt does
    assert Receipt.objects.get(unit__code="B02").received_on == dt.date(2024, 6, 1)
    events = AuditEvent.objects.filter(batch=result.batch)
    assert events.filter(action="ledger.imported").count() == 1
    batch = events.get(action="ledger.imported")
    assert (
        batch.after["sha256"] == result.sha256 and batch.after["counts"]["receipts"]["created"] == 2
    )
    assert events.filter(action="funding.receipt.created").count() == 2
    created = events.get(action="funding.receipt.created", object_id=str(receipt.pk))
    assert created.after["amount"] == 2_000_000 and created.after["received_on"] == "2024-05-01"
    assert events.filter(action="org.unit.created").count() == 2


def test_it_changes_nothing_when_reimported(tmp_path):
    run(tmp_path, GOOD)
    before = state()
    again = run(tmp_path, GOOD)
    assert again.ok and again.changed == 0
    assert state()[:2] == before[:2]
    # only the batch event itself, no per-record events
    assert AuditEvent.objects.count() == before[2] + 1


def test_it_updates_and_keeps_target_history(tmp_path):
    run(tmp_path, GOOD)
    sheets = copy.deepcopy(GOOD)
    sheets["争取任务"][1][2] = 1200
    sheets["单位"][1][1] = "甲局（新）"
    result = run(tmp_path, sheets)
    assert result.counts["targets"].updated == 1 and result.counts["units"].updated == 1
    target = Target.objects.get(unit__code="A01", year=2024)
    assert target.amount == 12_000_000 and target.version == 2
    assert TargetRevision.objects.get(target=target).old_amount == 10_000_000
    assert AuditEvent.objects.filter(action="funding.target.revised", batch=result.batch).exists()


def test_it_accepts_tolerant_forms(tmp_path):
    sheets = {
        "单位": [[" 单位编码 (code) ", "name", "单位类型"], ["  A01 ", "甲局", "department"]],
        "争取任务": [
            ["年度", "unit", "任务金额(万元)"],
            ["2024年", "A01", "1.2亿"],
            [2025, "A01", "３，５００"],
            [2026, "A01", "8000万"],
        ],
        "到位资金 (receipts)": [
            ["单位编码(unit)", "金额（万元）(amount)", "到位日期 (date)", "文号"],
            ["A01", 12.3456, 45473, "'=1+1"],
            ["A01", "3,500", "2024年6月30日", ""],
            ["A01", "８０００万", "2024/6/29", "x"],
        ],
    }
    result = run(tmp_path, sheets)
    assert result.ok, errors_of(result)
    assert Unit.objects.get().code == "A01"
    amounts = dict(Target.objects.values_list("year", "amount"))
    assert amounts == {2024: 120_000_000, 2025: 35_000_000, 2026: 80_000_000}
    receipts = {r.doc_no: (r.amount, r.received_on) for r in Receipt.objects.all()}
    assert receipts["=1+1"] == (123_456, dt.date(2024, 6, 30))  # quote prefix stripped back
    assert receipts[""] == (35_000_000, dt.date(2024, 6, 30))
    assert receipts["x"] == (80_000_000, dt.date(2024, 6, 29))


def test_it_warns_about_extra_columns_and_sheets(tmp_path):
    sheets = {"单位": [["单位编码", "单位名称", "备注"], ["A01", "甲局", "x"]], "Sheet9": [["a"]]}
    result = run(tmp_path, sheets)
    assert result.ok
    assert {(w.sheet, w.column) for w in result.warnings} == {("单位", "备注"), ("Sheet9", "")}


def test_it_collects_every_error_and_writes_nothing(tmp_path, zjj):
    before = state()
    sheets = {
        "单位": [
            ["单位编码", "单位名称", "单位类型"],
            ["N1", "新单位", "部门"],
            ["N1", "新单位二", "部门"],  # duplicate code
            ["N2", "新单位三", "机关"],  # unknown kind
        ],
        "争取任务": [["年度", "单位编码"], [2024, "N1"]],  # missing amount column
        "项目": [
            ["项目编号", "项目名称", "单位编码", "阶段", "申报日期"],
            ["PX", "项目", "NOPE", "立项", "2024-02-30"],  # unknown unit, stage, impossible date
        ],
        "到位资金": [
            ["单位编码", "金额（万元）", "到位日期", "项目编号", "资金渠道"],
            ["ZJJ", -5, "2024-05-01", "", ""],  # negative
            ["ZJJ", "很多", "2024-05-01", "", ""],  # not a number
            ["ZJJ", 5, "2024-13-01", "", ""],  # impossible date
            ["ZJJ", 5, "2024-05-01", "NOPROJECT", ""],  # unknown project
            ["ZJJ", 5, "2024-05-02", "", "不存在的渠道"],  # unknown channel, no level
            ["GHOST", 5, "2024-05-03", "", ""],  # unknown unit
        ],
    }
    result = run(tmp_path, sheets)
    found = {(sheet, row, column) for sheet, row, column, _m in errors_of(result)}
    assert found == {
        ("单位", 3, "单位编码"),
        ("单位", 4, "单位类型"),
        ("争取任务", 1, "任务金额（万元）"),
        ("项目", 2, "阶段"),
        ("项目", 2, "申报日期"),
        ("到位资金", 2, "金额（万元）"),
        ("到位资金", 3, "金额（万元）"),
        ("到位资金", 4, "到位日期"),
        ("到位资金", 5, "项目编号"),
        ("到位资金", 6, "资金渠道"),
        ("到位资金", 7, "单位编码"),
    }, errors_of(result)
    assert result.counts == {}
    assert state() == before


def test_it_reports_unknown_references_after_row_checks(tmp_path, zjj):
    sheets = {
        "项目": [["项目编号", "项目名称", "单位编码"], ["PX", "项目", "NOPE"]],
        "到位资金": [
            ["单位编码", "金额（万元）", "到位日期", "项目编号"],
            ["ZJJ", 1, "2024-05-01", "PX"],
        ],
    }
    result = run(tmp_path, sheets)
    messages = {(i.sheet, i.column): i.message for i in result.errors}
    assert messages[("项目", "单位编码")] == "单位编码“NOPE”不存在。"
    # PX is in the file, but for another (unknown) unit than ZJJ
    assert ("到位资金", "项目编号") in messages


def test_it_rejects_duplicate_receipts_in_the_file(tmp_path, zjj):
    row = ["ZJJ", 5, "2024-05-01", "A1"]
    sheets = {"到位资金": [["单位编码", "金额（万元）", "到位日期", "文号"], row, list(row)]}
    result = run(tmp_path, sheets)
    assert [(i.row, i.column) for i in result.errors] == [(3, "金额（万元）")]


def test_it_speaks_english_when_asked(tmp_path):
    with translation.override("en"):
        result = run(tmp_path, {"单位": [["单位编码"], ["A01"]]})
    assert [i.message for i in result.errors] == ["Required column is missing."]
    with translation.override("zh-hans"):
        result = run(tmp_path, {"单位": [["单位编码"], ["A01"]]})
    assert [i.message for i in result.errors] == ["缺少必填列。"]


def test_dry_run_writes_nothing(tmp_path):
    result = run(tmp_path, GOOD, dry_run=True)
    assert result.ok and result.counts["receipts"].created == 2
    assert Unit.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_it_refuses_a_name_taken_by_another_unit(tmp_path, zjj):
    name = Unit.objects.get(code="ZJJ").name
    result = run(tmp_path, {"单位": [["单位编码", "单位名称"], ["NEW", name]]})
    assert [(i.row, i.column) for i in result.errors] == [(2, "单位名称")]


def test_the_events_of_an_import_extend_the_audit_chain_unbroken(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from org.services import save_unit

    save_unit(user=None, code="BEFORE", name="导入前的单位")  # a link before the batch
    assert run(tmp_path, GOOD).ok
    changed = copy.deepcopy(GOOD)
    changed["到位资金"][1][4] = "财建〔2024〕“引号”\\ 号"  # text the canonical JSON must escape
    assert run(tmp_path, changed).ok
    save_unit(user=None, code="AFTER", name="导入后的单位")  # and a link after it
    out = StringIO()
    verified = AuditEvent.objects.count()  # audit_verify then records its anchoring too
    call_command("audit_verify", stdout=out)
    assert f"{verified} events verified" in out.getvalue()
    batch_events = AuditEvent.objects.exclude(batch="").filter(action="funding.receipt.created")
    assert (
        batch_events.exists()
        and batch_events.filter(before__isnull=True).count() == batch_events.count()
    )


def test_new_receipt_ids_leave_out_a_row_another_session_wrote_meanwhile(zjj):
    from django.db.models import Max

    from common.services import insert_rows, new_ids
    from funding.services import RECEIPT_COLUMNS

    unit = Unit.objects.get(code="ZJJ")
    last_id = Receipt.objects.aggregate(last=Max("pk"))["last"]
    ours = [
        (unit.pk, None, 100, dt.date(2024, 7, 1), "甲", None, "", "", 1, "甲"),
        (unit.pk, None, 200, dt.date(2024, 7, 2), "乙", None, "", "", 1, "乙"),
    ]
    insert_rows(Receipt, RECEIPT_COLUMNS, ours[:1])
    theirs = Receipt.objects.create(unit=unit, amount=300, received_on=dt.date(2024, 7, 3))
    insert_rows(Receipt, RECEIPT_COLUMNS, ours[1:])
    ids = new_ids(Receipt, last_id, RECEIPT_COLUMNS, ours, (0, 3, 2, 4))
    assert theirs.pk not in ids
    assert [Receipt.objects.get(pk=pk).doc_no for pk in ids] == ["甲", "乙"]


RECEIPTS_ONLY = {
    "到位资金": [
        ["单位编码", "金额（万元）", "到位日期", "项目编号", "文号", "资金渠道", "层级"],
        ["A01", 80, "2024-06-20", "P1", "财建〔2024〕9号", "", ""],
    ]
}


def test_money_on_a_project_the_file_does_not_list_advances_it_to_funded(tmp_path):
    run(tmp_path, GOOD)
    assert Project.objects.get(code="P1").stage == "applied"  # the 项目 sheet's stage stands
    result = run(tmp_path, RECEIPTS_ONLY)
    assert result.ok, errors_of(result)
    project = Project.objects.get(code="P1")
    assert project.stage == "funded"  # as when the receipt is recorded on its page
    changes = list(project.stage_changes.order_by("pk").values_list("to_stage", "changed_on"))
    assert changes[-2:] == [("approved", dt.date(2024, 6, 20)), ("funded", dt.date(2024, 6, 20))]
    advanced = AuditEvent.objects.filter(batch=result.batch, action="funding.project.advanced")
    assert advanced.count() == 2 and {e.object_id for e in advanced} == {str(project.pk)}
    assert AuditEvent.objects.filter(action="funding.project.advanced", batch="").count() == 0
    before = state()
    assert run(tmp_path, RECEIPTS_ONLY).changed == 0  # the same file again changes nothing
    assert state()[:2] == before[:2] and Project.objects.get(code="P1").stage == "funded"


def test_money_on_a_project_marked_not_approved_is_refused_on_its_row(tmp_path):
    sheets = copy.deepcopy(GOOD)
    sheets["项目"][1][6] = "未获批"
    result = run(tmp_path, sheets)
    assert not result.ok
    ((sheet, row, column, message),) = [e for e in errors_of(result) if e[0] == "到位资金"]
    # the receipt rule's message, the same on every path: the project by name
    assert (row, column) == (2, "项目编号") and "老旧小区改造" in message and "未获批" in message
    assert not Project.objects.exists() and not Receipt.objects.exists()


PROJECT_HEADER = [
    "项目编号",
    "项目名称",
    "单位编码",
    "计划年度",
    "总投资（万元）",
    "项目简介",
    "对上衔接专人",
]


def test_the_project_sheet_carries_plan_year_investment_description_and_follow_up(tmp_path, zjj):
    """Design §4's four project columns: exported, read back unchanged, and changed by a
    file; a follow-up person this database does not know is a warning that keeps the
    project's own; a bad plan year is an error on its row."""
    from openpyxl import load_workbook

    from funding.tests.factories import ProjectFactory
    from ledger.export import export_ledger
    from org.tests.factories import cast_of

    project = ProjectFactory(unit=zjj, code="XM2024-ZJJ-01")
    officer = cast_of("zjj", "zjj_head", unit=zjj)["zjj"]
    Project.objects.filter(pk=project.pk).update(
        plan_year=2025, total_investment=123_450_000, description="老旧管网改造", follow_up=officer
    )
    path = tmp_path / "out.xlsx"
    export_ledger(path)
    rows = list(load_workbook(path, read_only=True)["项目"].iter_rows(values_only=True))
    header = list(rows[0])
    row = next(r for r in rows if r[0] == project.code)
    assert [row[header.index(name)] for name in PROJECT_HEADER[3:]] == [
        2025,
        12345,
        "老旧管网改造",
        "zjj",
    ]
    again = import_ledger(path, user=None)
    assert again.ok and again.counts["projects"].updated == 0, errors_of(again)

    changed = run(
        tmp_path,
        {
            "项目": [
                PROJECT_HEADER,
                [project.code, project.name, "ZJJ", "2026年", 200, "换新", "zjj_head"],
            ]
        },
    )
    assert changed.ok, errors_of(changed)
    project.refresh_from_db()
    assert (project.plan_year, project.total_investment, project.description) == (
        2026,
        2_000_000,
        "换新",
    )
    assert project.follow_up.username == "zjj_head"

    unknown = run(
        tmp_path,
        {"项目": [PROJECT_HEADER, [project.code, project.name, "ZJJ", 2026, 200, "换新", "谁"]]},
    )
    assert unknown.ok and any("谁" in i.message for i in unknown.warnings)
    project.refresh_from_db()
    assert project.follow_up.username == "zjj_head"  # kept

    bad = run(
        tmp_path,
        {"项目": [PROJECT_HEADER, [project.code, project.name, "ZJJ", 1899, 200, "换新", ""]]},
    )
    assert not bad.ok
    assert [(i.column, i.row) for i in bad.errors] == [("计划年度", 2)]
