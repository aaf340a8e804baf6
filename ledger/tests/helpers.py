"""Building ledger files for tests: real workbooks, CSVs and hostile archives."""

import io
import zipfile
from pathlib import Path

import xlsxwriter

GOOD = {
    "领导": [["姓名", "职务"], ["王强", "副市长"]],
    "单位": [
        ["单位编码", "单位名称", "单位类型", "上级单位编码", "分管领导"],
        ["A01", "甲局", "部门", "", "王强"],
        ["B02", "乙镇", "乡镇", "A01", ""],
    ],
    "争取任务": [["年度", "单位编码", "任务金额（万元）"], [2024, "A01", 1000], [2024, "B02", 500]],
    "项目": [
        [
            "项目编号",
            "项目名称",
            "单位编码",
            "资金渠道",
            "申报层级",
            "申请金额（万元）",
            "阶段",
            "申报日期",
            "责任人",
        ],
        ["P1", "老旧小区改造", "A01", "新渠道", "省级", 300, "申报", "2024-03-01", "张三"],
    ],
    "到位资金": [
        ["单位编码", "金额（万元）", "到位日期", "项目编号", "文号", "资金渠道", "层级"],
        ["A01", 200, "2024-05-01", "P1", "财建〔2024〕1号", "新渠道", ""],
        ["B02", "50", "2024/6/1", "", "", "", ""],
    ],
}


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
    workbook.close()
    return path


def xlsx_bytes(sheets: dict[str, list[list]], tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "build.xlsx", sheets).read_bytes()


def rewrite_zip(
    source: Path,
    target: Path,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy an xlsx, replacing or adding members."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = replace.get(info.filename, old.read(info))
            new.writestr(info.filename, data)
        for name, data in add.items():
            new.writestr(name, data)
    return target


def zip_of_csvs(path: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode(encoding))
    return path


def csv_text(rows: list[list]) -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()
