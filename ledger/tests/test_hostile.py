"""Files that are not ledgers, or are built to hurt: a clear error, nothing else."""

import zipfile

import pytest

from audit.models import AuditEvent
from ledger import reader
from ledger.services import import_ledger
from org.models import Unit

from .helpers import GOOD, csv_text, rewrite_zip, write_xlsx, zip_of_csvs

pytestmark = pytest.mark.django_db


def only_error(result) -> str:
    assert not result.ok
    assert Unit.objects.count() == 0 and AuditEvent.objects.count() == 0
    return " ".join(i.message for i in result.errors)


def test_it_refuses_a_text_file(tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_text("hello, this is not a workbook")
    assert "不是电子表格" in only_error(import_ledger(path, user=None))


def test_it_refuses_a_corrupted_zip(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", GOOD).read_bytes()
    path = tmp_path / "broken.xlsx"
    path.write_bytes(good[: len(good) // 2])
    assert "损坏" in only_error(import_ledger(path, user=None))


def test_it_refuses_a_zip_bomb(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", GOOD)
    bomb = rewrite_zip(good, tmp_path / "bomb.xlsx", add={"xl/media/zeros.bin": b"\0" * 40_000_000})
    assert bomb.stat().st_size < 200_000
    assert "压缩炸弹" in only_error(import_ledger(bomb, user=None))


def test_it_refuses_xml_entities(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", GOOD)
    with zipfile.ZipFile(good) as archive:
        strings = archive.read("xl/sharedStrings.xml")
    evil = strings.replace(
        b"?>",
        b'?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
        1,
    )
    path = rewrite_zip(good, tmp_path / "evil.xlsx", replace={"xl/sharedStrings.xml": evil})
    assert "XML 实体" in only_error(import_ledger(path, user=None))


def test_it_refuses_macros(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", GOOD)
    path = rewrite_zip(
        good, tmp_path / "macro.xlsm", add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}
    )
    assert "宏" in only_error(import_ledger(path, user=None))


def test_it_refuses_an_empty_workbook(tmp_path):
    path = write_xlsx(tmp_path / "empty.xlsx", {"Sheet1": []})
    assert "没有台账数据" in only_error(import_ledger(path, user=None))
    path = write_xlsx(tmp_path / "headers.xlsx", {"单位": [["单位编码", "单位名称"]]})
    assert "没有台账数据" in only_error(import_ledger(path, user=None))


def test_it_refuses_a_sheet_with_a_million_rows(tmp_path):
    good = write_xlsx(
        tmp_path / "good.xlsx", {"到位资金": [["单位编码", "金额（万元）", "到位日期"]]}
    )
    with zipfile.ZipFile(good) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    head, tail = sheet.split(b"</sheetData>")
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>A</t></is></c><c r="B%d"><v>%d</v></c></row>'
        % (n, n, n, n)
        for n in range(2, 1_000_002)
    )
    path = rewrite_zip(
        good,
        tmp_path / "big.xlsx",
        replace={"xl/worksheets/sheet1.xml": head + rows + b"</sheetData>" + tail},
    )
    assert "超过 200,000 行" in only_error(import_ledger(path, user=None))


def test_it_refuses_a_file_over_the_upload_limit(tmp_path, settings):
    path = write_xlsx(tmp_path / "good.xlsx", GOOD)
    settings.LEDGER_MAX_UPLOAD_BYTES = 1000
    assert "超过 0 MB" in only_error(import_ledger(path, user=None))


def test_it_refuses_old_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert ".xls" in only_error(import_ledger(path, user=None))


def test_the_row_counter_sees_tags_split_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "_CHUNK", 7)
    monkeypatch.setattr(reader, "MAX_ROWS", 2)
    rows = b"".join(b'<row r="%d"></row>' % n for n in range(1, 5))
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sheet.xml", rows)
    with zipfile.ZipFile(path) as archive:
        assert reader._scan(archive, archive.getinfo("sheet.xml"), count_rows=True) == 4


def test_it_reads_csv_files(tmp_path):
    rows = {name: csv_text(sheet) for name, sheet in GOOD.items()}
    archive = zip_of_csvs(tmp_path / "ledger.zip", {f"{n}.csv": t for n, t in rows.items()})
    result = import_ledger(archive, user=None)
    assert result.ok, result.errors
    assert result.counts["receipts"].created == 2
    # the same content again as GBK CSVs (Excel on Chinese Windows) changes nothing
    gbk = zip_of_csvs(
        tmp_path / "gbk.zip", {f"{n}.csv": t for n, t in rows.items()}, encoding="gb18030"
    )
    again = import_ledger(gbk, user=None)
    assert again.ok and again.changed == 0


def test_it_reads_one_csv_named_after_its_sheet(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, sheet in GOOD.items():
        (folder / f"{name}.csv").write_text(csv_text(sheet), encoding="utf-8-sig")
    assert import_ledger(folder, user=None).ok
    one = tmp_path / "到位资金.csv"
    one.write_text(csv_text([GOOD["到位资金"][0], ["B02", "70", "2024-06-02", "", "", "", ""]]))
    result = import_ledger(one, user=None)
    assert result.ok and result.counts["receipts"].created == 1
    other = tmp_path / "data.csv"
    other.write_text("a,b\n1,2\n")
    assert not import_ledger(other, user=None).ok
