"""Double claims in a ledger (design §3.1, §4): duplicates are errors, doubtful claims warnings."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from funding import services
from funding.corrections import services as correction_services
from funding.docno import normalise_doc_no
from funding.models import Receipt
from funding.querysets import doubtful_claims
from ledger.export import export_ledger
from ledger.services import import_ledger
from org.models import Unit
from org.tests.factories import UnitFactory, cast_of

from .factories import receipt
from .helpers import write_xlsx

HEADER = ["单位编码", "金额（万元）", "到位日期", "文号"]
DEMO_CLAIM = "省财建〔2024〕701号"
UNITS = {
    "ZJJ": "市住房和城乡建设局",
    "SLJ": "市水利局",
    "MZJ": "市民政局",
    "JTJ": "市交通运输局",
    "CGJ": "市城市管理局",
}


@pytest.fixture
def claim(db):
    """Five units, and the demo's doubtful claim (not the whole demo): ZJJ and MZJ each
    recorded 800万元 under 省财建〔2024〕701号, written differently, in August 2024."""
    units = {code: UnitFactory(code=code, name=name) for code, name in UNITS.items()}
    receipt(units["ZJJ"], 8_000_000, dt.date(2024, 8, 12), doc_no=DEMO_CLAIM)
    receipt(units["MZJ"], 8_000_000, dt.date(2024, 8, 20), doc_no="省财建（2024）701 号")
    return units


@pytest.fixture
def office(db):
    return cast_of("office")["office"]


def run(tmp_path, rows, name="ledger.xlsx"):
    return import_ledger(write_xlsx(tmp_path / name, {"到位资金": [HEADER, *rows]}), user=None)


def issues(found):
    return [(i.sheet, i.row, i.column, i.message) for i in found]


def test_the_same_unit_number_and_amount_twice_in_a_file_is_an_error_naming_both_rows(
    tmp_path, claim
):
    count = Receipt.objects.count()
    result = run(
        tmp_path,
        [
            ["SLJ", 300, "2024-06-01", "水利〔2024〕3号"],
            ["JTJ", 300, "2024-06-01", "交通〔2024〕3号"],
            ["SLJ", 300, "2024-06-09", "水利 (２０２４) 3号"],
        ],
    )
    assert issues(result.errors) == [
        (
            "到位资金",
            4,
            "文号",
            "与第 2 行单位、文号、金额相同：同一笔资金不能重复登记。",
        )
    ]
    assert Receipt.objects.count() == count


def test_a_row_repeating_a_recorded_receipt_is_an_error_naming_that_receipt(tmp_path, claim):
    zjj = Receipt.objects.filter(unit__code="ZJJ").exclude(doc_key="").order_by("pk").first()
    typed = zjj.doc_no.replace("〔", "[").replace("〕", "] ")
    result = run(tmp_path, [["ZJJ", zjj.amount // 10_000, "2024-12-01", typed]])
    assert [(i.row, i.column) for i in result.errors] == [(2, "文号")]
    message = result.errors[0].message
    assert zjj.received_on.isoformat() in message and zjj.doc_no in message
    assert "本单位已于" in message


def test_re_importing_the_demo_changes_nothing_and_warns_of_nothing_new(tmp_path, demo):
    path = tmp_path / "demo.xlsx"
    export_ledger(path)
    count = Receipt.objects.count()
    result = import_ledger(path, user=None)
    assert result.ok and result.changed == 0 and Receipt.objects.count() == count
    assert not [w for w in result.warnings if "疑似重复申报" in w.message]


def test_another_unit_with_the_same_number_is_a_warning_and_is_imported(tmp_path, claim):
    result = run(
        tmp_path,
        [
            ["SLJ", 500, "2024-09-01", "省财建（2024）701号"],
            ["CGJ", 80, "2024-09-02", "城管〔2024〕1号"],
            ["JTJ", 80, "2024-09-03", "城管 〔2024〕1号"],
        ],
    )
    assert result.ok, issues(result.errors)
    warned = [(w.row, w.column) for w in result.warnings]
    assert warned == [(2, "文号"), (3, "文号"), (4, "文号")]
    assert "市住房和城乡建设局（ZJJ）、市民政局（MZJ）" in result.warnings[0].message
    assert "市城市管理局（CGJ）" in result.warnings[2].message
    assert result.counts["receipts"].created == 3
    claims = {c["doc_no"]: c["units"] for c in doubtful_claims(2024)}
    assert claims == {DEMO_CLAIM: ["ZJJ", "SLJ", "MZJ"], "城管〔2024〕1号": ["JTJ", "CGJ"]}
    # the key is stored on every receipt the ledger wrote
    for doc_no, doc_key in Receipt.objects.filter(received_on__month=9).values_list(
        "doc_no", "doc_key"
    ):
        assert doc_key == normalise_doc_no(doc_no)


def test_a_confirmed_claim_is_no_warning(tmp_path, claim, office):
    seen = Receipt.objects.filter(doc_key=DEMO_CLAIM).values_list("pk", flat=True)
    services.confirm_claim(user=office, doc_key=DEMO_CLAIM, seen=list(seen))
    path = tmp_path / "claim.xlsx"
    export_ledger(path)
    Receipt.objects.filter(doc_key=DEMO_CLAIM, unit__code="MZJ").delete()  # as if never entered
    result = import_ledger(path, user=None)
    assert result.ok and result.counts["receipts"].created == 1
    assert not result.warnings
    # a unit not covered by the confirmation is warned about
    other = run(tmp_path, [["CGJ", 10, "2024-09-01", DEMO_CLAIM]], name="other.xlsx")
    assert [w.row for w in other.warnings] == [2]


def test_a_rejected_receipt_is_not_imported_again(tmp_path, claim, office):
    path = tmp_path / "before.xlsx"
    export_ledger(path)
    mzj = Receipt.objects.get(doc_key=DEMO_CLAIM, unit__code="MZJ")
    correction_services.reject_receipt(user=office, receipt=mzj, note="重复申报")
    result = import_ledger(path, user=None)
    assert result.ok and result.changed == 0
    assert not Receipt.objects.filter(doc_key=DEMO_CLAIM, unit__code="MZJ").exists()
    assert [(w.column, "不再导入" in w.message) for w in result.warnings] == [("文号", True)]
    assert doubtful_claims(2024) == []


def test_the_preview_lists_duplicates_as_errors_and_doubtful_claims_as_warnings(
    client, claim, office, tmp_path
):
    client.force_login(office)

    def preview(rows, name):
        data = write_xlsx(tmp_path / name, {"到位资金": [HEADER, *rows]}).read_bytes()
        upload = client.post(reverse("ledger:upload"), {"file": SimpleUploadedFile(name, data)})
        return client.get(upload["Location"]).content.decode()

    html = preview([["CGJ", 80, "2024-09-02", "省财建[2024]701号"]], "doubtful.xlsx")
    assert "confirm-submit" in html and 'id="ledger-warnings"' in html
    assert "疑似重复申报" in html and "市住房和城乡建设局（ZJJ）" in html
    html = preview(
        [["ZJJ", 800, "2024-09-02", "省财建 [2024] 701号"], ["CGJ", 1, "2024-09-02", "a"]],
        "duplicate.xlsx",
    )
    assert "confirm-submit" not in html and 'id="ledger-errors"' in html
    assert "本单位已于2024-08-12登记过这笔资金" in html
    assert (
        Unit.objects.get(code="CGJ").receipts.filter(received_on=dt.date(2024, 9, 2)).count() == 0
    )


def test_text_longer_than_its_field_is_an_error_not_a_database_failure(tmp_path, claim):
    result = import_ledger(
        write_xlsx(
            tmp_path / "long.xlsx",
            {
                "单位": [["单位编码", "单位名称"], ["L01", "长" * 101]],
                "到位资金": [HEADER, ["ZJJ", 5, "2024-06-01", "文" * 101]],
            },
        ),
        user=None,
    )
    assert [(i.sheet, i.row, i.column, i.message) for i in result.errors] == [
        ("单位", 2, "单位名称", "最多100个字。"),
        ("到位资金", 2, "文号", "最多100个字。"),
    ]


def test_a_duplicate_is_listed_with_the_other_errors_of_the_file(tmp_path, claim):
    zjj = Receipt.objects.get(doc_key=DEMO_CLAIM, unit__code="ZJJ")
    result = import_ledger(
        write_xlsx(
            tmp_path / "both.xlsx",
            {
                "争取任务": [
                    ["年度", "单位编码", "任务金额（万元）", "生效日期"],
                    [2024, "SLJ", 25000, "2024-02-30"],
                ],
                "到位资金": [HEADER, ["ZJJ", 800, "2024-09-01", "省财建(2024)701号"]],
            },
        ),
        user=None,
    )
    assert [(i.sheet, i.row, i.column) for i in result.errors] == [
        ("争取任务", 2, "生效日期"),
        ("到位资金", 2, "文号"),
    ]
    assert zjj.received_on.isoformat() in result.errors[1].message


def test_a_zero_amount_is_the_receipt_rules_error_on_its_amount_cell(tmp_path, claim):
    """The rule refuses it (`check_receipt`), named on the cell, as the form and the API do."""
    result = run(
        tmp_path, [["ZJJ", 0, "2024-09-01", "零〔2024〕1号"], ["ZJJ", "0万", "2024-09-02", ""]]
    )
    assert [(i.row, i.column) for i in result.errors] == [(2, "金额（万元）"), (3, "金额（万元）")]
    assert {i.message for i in result.errors} == {gettext("The amount must be greater than zero.")}
