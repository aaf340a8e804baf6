"""The ledger workbook format (design §4): sheets, columns, header matching, issues."""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

from funding.choices import STAGE_NAMES_ZH, Level
from org.models import UnitKind


@dataclass(frozen=True)
class Column:
    name: str  # Chinese header as written by the export
    key: str  # English alias, accepted as a header too
    required: bool = False


@dataclass(frozen=True)
class Sheet:
    name: str
    key: str
    columns: tuple[Column, ...]


UNITS = Sheet(
    "单位",
    "units",
    (
        Column("单位编码", "code", True),
        Column("单位名称", "name", True),
        Column("单位类型", "kind"),
        Column("上级单位编码", "parent"),
        Column("分管领导", "leader"),
    ),
)
LEADERS = Sheet("领导", "leaders", (Column("姓名", "name", True), Column("职务", "title")))
TARGETS = Sheet(
    "争取任务",
    "targets",
    (
        Column("年度", "year", True),
        Column("单位编码", "unit", True),
        Column("任务金额（万元）", "amount", True),
        Column("生效日期", "effective"),
        Column("调整原因", "reason"),
    ),
)
PROJECTS = Sheet(
    "项目",
    "projects",
    (
        Column("项目编号", "code", True),
        Column("项目名称", "name", True),
        Column("单位编码", "unit", True),
        Column("资金渠道", "channel"),
        Column("申报层级", "level"),
        Column("申请金额（万元）", "requested"),
        Column("阶段", "stage"),
        Column("申报日期", "applied_on"),
        Column("责任人", "owner"),
        Column("计划年度", "plan_year"),
        Column("总投资（万元）", "total_investment"),
        Column("项目简介", "description"),
        Column("对上衔接专人", "follow_up"),
    ),
)
RECEIPTS = Sheet(
    "到位资金",
    "receipts",
    (
        Column("单位编码", "unit", True),
        Column("金额（万元）", "amount", True),
        Column("到位日期", "date", True),
        Column("项目编号", "project"),
        Column("文号", "doc_no"),
        Column("资金渠道", "channel"),
        Column("层级", "level"),
    ),
)
GUIDES = Sheet(
    "申报指南",
    "guides",
    (
        Column("指南编号", "code", True),
        Column("指南名称", "title", True),
        Column("发布单位", "issuer"),
        Column("层级", "level"),
        Column("资金渠道", "channel"),
        Column("截止日期", "deadline"),
        Column("支持范围", "scope"),
        Column("申报条件", "conditions"),
        Column("所需材料", "materials"),
        # beyond design §4: when it was published, and the units it concerns (their workbench)
        Column("发布日期", "published"),
        Column("适用单位编码", "units"),
    ),
)
WORK_ITEMS = Sheet(
    "工作事项",
    "work_items",
    (
        Column("事项编号", "code", True),
        Column("事项名称", "title", True),
        Column("政策文件", "policy"),
        Column("政策条款", "measure"),
        Column("牵头市级领导", "lead_leader", True),
        Column("牵头单位编码", "lead_unit", True),
        Column("配合单位编码", "co_units"),
        Column("完成时限", "due_on", True),
        Column("时间节点", "milestones"),
        Column("工作目标", "goal"),
    ),
)
# design §12: the counterpart directory (对口联系), one row per person of a department
COUNTERPARTS = Sheet(
    "对口联系",
    "counterparts",
    (
        Column("上级部门", "department", True),
        Column("层级", "level"),
        Column("姓名", "person"),
        Column("职务", "post"),
        Column("电话", "phone"),
        Column("对接单位编码", "units"),
    ),
)
# the Chinese names the workbook writes for kinds, levels and stages
UNIT_KIND_NAMES = {
    "部门": UnitKind.DEPARTMENT,
    "乡镇": UnitKind.TOWNSHIP,
    "企业": UnitKind.ENTERPRISE,
}
UNIT_KIND_NAMES["其他"] = UnitKind.OTHER
UNIT_KIND_ZH = {value: name for name, value in UNIT_KIND_NAMES.items()}
LEVEL_ZH = {Level.CENTRAL: "中央", Level.PROVINCIAL: "省级", Level.MUNICIPAL: "市级"}
STAGE_ZH = {value: name for name, value in STAGE_NAMES_ZH.items()}

SHEETS: tuple[Sheet, ...] = (
    UNITS,
    LEADERS,
    TARGETS,
    PROJECTS,
    RECEIPTS,
    GUIDES,
    WORK_ITEMS,
    COUNTERPARTS,
)

SHEET_LABELS = {
    "units": pgettext_lazy("ledger sheet", "units"),
    "leaders": pgettext_lazy("ledger sheet", "leaders"),
    "targets": pgettext_lazy("ledger sheet", "targets"),
    "projects": pgettext_lazy("ledger sheet", "projects"),
    "receipts": pgettext_lazy("ledger sheet", "receipts"),
    "guides": pgettext_lazy("ledger sheet", "application guides"),
    "work_items": pgettext_lazy("ledger sheet", "work items"),
    "counterparts": pgettext_lazy("ledger sheet", "counterpart directory"),
}


def normalise_header(text: object) -> str:
    """Fold full-width forms (NFKC turns （） into ()), drop spaces, lower-case ASCII."""
    text = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    return re.sub(r"\s+", "", text).lower()


def _header_keys(column: Column) -> set[str]:
    name, key = normalise_header(column.name), column.key.lower()
    bare = re.sub(r"\(.*\)$", "", name)  # 任务金额(万元) → 任务金额
    return {name, key, f"{name}({key})", bare, f"{bare}({key})"}


HEADER_LOOKUP: dict[str, dict[str, Column]] = {
    sheet.key: {k: column for column in sheet.columns for k in _header_keys(column)}
    for sheet in SHEETS
}
SHEET_LOOKUP: dict[str, Sheet] = {}
for _sheet in SHEETS:
    for _name in (_sheet.name, _sheet.key, f"{_sheet.name}({_sheet.key})"):
        SHEET_LOOKUP[normalise_header(_name)] = _sheet


@dataclass(frozen=True)
class Issue:
    """One problem found in a ledger: where (sheet / row / column) and what."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = " / ".join(
            part for part in (self.sheet, str(self.row) if self.row else "", self.column) if part
        )
        return f"{where}: {self.message}" if where else self.message


class LedgerError(Exception):
    """The file cannot be imported; `issues` says why (all of it)."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(str(i) for i in issues[:5]))
        self.issues = issues
