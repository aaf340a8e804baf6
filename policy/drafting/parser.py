"""Split a policy text into draft work items and read each one (design §12). Pure functions.

Structure: headings 一、 (level 1), （一） (level 2), 1. / 第一条 (level 3), （1） / ① (level 4);
a numbered node with no numbered node under it is an item when it reads as work (level 3
or deeper, or it names units or a deadline); its nearest heading is its measure. A table
(a header line naming 牵头单位 and its rows, cells split by tabs, `|` or wide spaces) gives
one item per row. Fields are read as labelled (牵头单位：… 配合单位：… 完成时限：… 牵头市领导：…)
or from prose (（市住建局牵头，市财政局配合） / 由市发展改革委牵头 / 市民政局负责).
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from .dates import field_deadline, find_deadlines, is_ongoing
from .names import Directory, looks_like_unit, normalise

CN_NUM = "一二三四五六七八九十"
HEADINGS = [
    (1, re.compile(rf"^([{CN_NUM}]{{1,3}})\s*[、.．]\s*(.*)$")),
    (2, re.compile(rf"^[（(]([{CN_NUM}]{{1,3}})[)）]\s*[、.．]?\s*(.*)$")),
    (3, re.compile(rf"^第([{CN_NUM}]{{1,4}})条\s*(.*)$")),
    (3, re.compile(r"^(\d{1,3})\s*(?:[.、．)）](?!\d)|\t)\s*(.*)$")),
    (4, re.compile(r"^[（(](\d{1,3})[)）]\s*(.*)$")),
    (4, re.compile(r"^([①-⑳])\s*(.*)$")),
]

LEADER_LABELS = ("牵头市领导", "牵头领导", "责任市领导", "责任领导", "分管市领导", "包联市领导")
LEAD_LABELS = ("牵头单位", "牵头部门", "责任单位", "责任部门", "主办单位", "主责单位", "牵头")
CO_LABELS = ("配合单位", "配合部门", "协办单位", "参与单位", "协同单位", "配合")
DUE_LABELS = ("完成时限", "完成时间", "时间节点", "时限要求", "完成期限", "时限", "时间")
LABELS = LEADER_LABELS + LEAD_LABELS + CO_LABELS + DUE_LABELS
_LABEL = "|".join(sorted(LABELS, key=len, reverse=True))
FIELD = re.compile(rf"({_LABEL})\s*[:：]\s*(.*?)(?=[。；;\n]|(?:{_LABEL})\s*[:：]|$)")

LEADER_TITLE = r"(?:市委常委、)?(?:常务)?副市长|市长|市委书记|秘书长"
INLINE_LEADER = re.compile(
    rf"(?:分管|主管)?(?:{LEADER_TITLE})\s*([\u4e00-\u9fa5]{{2,3}}?)"
    r"(?=同志|牵头|负责|[，,、；;。)）\s]|$)"
)
RESPONSIBLE = re.compile(r"(?:按职责分工|按职责|分别|共同)?(牵头|负责|配合|协助|参与|协同)$")
PAREN = re.compile(r"[（(]([^（）()]*(?:牵头|负责|配合)[^（）()]*)[)）]")
NAME_SPLIT = re.compile(r"[、，,；;/\s]+")
TABLE_SPLIT = re.compile(r"\t|\s*\|\s*|\s{2,}")
COLUMNS = {
    "no": ("序号", "编号"),
    "task": (
        "重点任务",
        "工作任务",
        "任务内容",
        "工作内容",
        "具体措施",
        "工作事项",
        "主要任务",
        "任务",
    ),
    "leader": LEADER_LABELS,
    "lead": LEAD_LABELS,
    "co": CO_LABELS,
    "due": DUE_LABELS,
}


@dataclass
class Draft:
    """One draft work item as read from the text; codes, or None / [] where unresolved."""

    title: str
    measure: str = ""
    aspect: str = ""
    goal: str = ""
    lead_unit: str | None = None
    co_units: list[str] = field(default_factory=list)
    lead_leader: str | None = None
    due_on: dt.date | None = None
    milestones: list[tuple[dt.date, str]] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # ongoing, no_deadline, leader_by_oversight…

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "measure": self.measure,
            "aspect": self.aspect,
            "lead_unit": self.lead_unit,
            "co_units": self.co_units,
            "lead_leader": self.lead_leader,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "milestones": [[d.isoformat(), t] for d, t in self.milestones],
            "unresolved": self.unresolved,
            "flags": self.flags,
        }


@dataclass
class _Node:
    level: int
    label: str
    head: str
    lines: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # from a table row
    children: int = 0
    parents: tuple["_Node", ...] = ()
    closed: bool = False  # its 完成时限 is read: later plain lines are not its text


def _heading(line: str) -> tuple[int, str, str] | None:
    for level, pattern in HEADINGS:
        match = pattern.match(line)
        if match:
            return level, match.group(1), match.group(2).strip()
    return None


def _columns(cells: list[str]) -> dict[str, int] | None:
    """A table's header row: which column holds what (None when the row is no header)."""
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        cell = normalise(cell)
        for key, names in COLUMNS.items():
            if key not in found and any(cell.startswith(n) for n in names):
                found[key] = i
                break
    if "lead" not in found:
        return None
    if "task" not in found:
        free = [i for i in range(len(cells)) if i not in found.values()]
        if len(found) < 3 or not free:
            return None
        found["task"] = free[0]
    return found


def split_nodes(lines: list[str]) -> list[_Node]:
    """Numbered nodes in document order, each with its text lines and its headings."""
    nodes: list[_Node] = []
    stack: list[_Node] = []
    table: dict[str, int] | None = None
    current: _Node | None = None
    for raw in lines:
        line = raw.strip().replace("\u3000", " ")
        if not line:
            continue
        cells = [c.strip() for c in TABLE_SPLIT.split(line) if c.strip()]
        if len(cells) >= 3:
            header = _columns(cells)
            if header is not None:
                table = header
                current = None
                continue
            if table is not None:
                row = {key: cells[i] for key, i in table.items() if i < len(cells)}
                node = _Node(3, row.get("no", ""), row.get("task", ""), fields=row)
                node.closed = True
                node.parents = tuple(stack)
                for parent in stack:
                    parent.children += 1
                nodes.append(node)
                current = node
                continue
        heading = _heading(line)
        if heading is not None:
            table = None
            level, label, head = heading
            while stack and stack[-1].level >= level:
                stack.pop()
            node = _Node(level, label, head, parents=tuple(stack))
            for parent in stack:
                parent.children += 1
            stack.append(node)
            nodes.append(node)
            current = node
            continue
        table = None
        if current is None or current.closed or line.startswith(("附", "注：", "注:")):
            current = None if current is not None and current.closed else current
            continue
        current.lines.append(line)
    return nodes


def _names(value: str) -> list[str]:
    """Names in a list of units: 市住建局、市财政局 / A，B; brackets inside names kept."""
    value = re.sub(r"^(?:由|请|会同|分别由)", "", value.strip())
    out = []
    for part in NAME_SPLIT.split(value):
        part = re.sub(r"^(?:由|请|会同)", "", part).strip()
        part = re.sub(r"(?:等|等单位|等部门|共同)$", "", part)
        if part:
            out.append(part)
    return out


def _is_leader_phrase(name: str) -> bool:
    return bool(INLINE_LEADER.search(name)) or bool(re.search(LEADER_TITLE, name))


class _Reader:
    """Reads one item's text against the directory and the leaders' names."""

    def __init__(self, directory: Directory, leaders: dict[str, list[str]], year: int):
        self.directory = directory
        self.leaders = leaders  # name → codes of the units overseen
        self.year = year

    def units(self, names: list[str], *, strict: bool, unresolved: list[str]) -> list[str]:
        codes: list[str] = []
        for name in names:
            marked_lead = False
            if re.search(r"[（(]牵头[)）]$", name):
                marked_lead = True
            found = self.directory.resolve(name)
            if found:
                codes.extend(("*" + c) if marked_lead else c for c in found)
            elif _is_leader_phrase(name):
                continue
            elif strict or looks_like_unit(name):
                clean = re.sub(r"[（(](?:牵头|配合|负责)[)）]$", "", name)
                if clean not in unresolved:
                    unresolved.append(clean)
        return codes

    def leader(self, value: str, unresolved: list[str]) -> str | None:
        value = normalise(value)
        match = INLINE_LEADER.search(value)
        names = [match.group(1)] if match else _names(re.sub(LEADER_TITLE, "", value))
        for name in names[:1]:
            name = name.removesuffix("同志")
            if name in self.leaders:
                return name
            if name and name not in unresolved:
                unresolved.append(name)
        return None

    def read(self, node: _Node) -> Draft:
        text = "".join([node.head, *node.lines]) if node.head else "".join(node.lines)
        fields: dict[str, str] = {}
        for key in ("leader", "lead", "co", "due"):
            if node.fields.get(key):
                fields[key] = node.fields[key]
        for match in FIELD.finditer(text):
            label, value = match.group(1), match.group(2).strip()
            key = (
                "leader"
                if label in LEADER_LABELS
                else "lead"
                if label in LEAD_LABELS
                else "co"
                if label in CO_LABELS
                else "due"
            )
            fields.setdefault(key, value)
        narrative = FIELD.sub("", text) if not node.fields else text
        unresolved: list[str] = []
        flags: list[str] = []
        leads: list[str] = []
        cos: list[str] = []
        leader = None
        inline = INLINE_LEADER.search(narrative)
        stated = "leader" in fields or inline is not None
        if "leader" in fields:
            leader = self.leader(fields["leader"], unresolved)
        elif inline is not None:
            leader = self.leader(inline.group(0), unresolved)
        if "lead" in fields:
            lead_codes = self.units(_names(fields["lead"]), strict=True, unresolved=unresolved)
            marked = [c[1:] for c in lead_codes if c.startswith("*")]
            plain = [c for c in lead_codes if not c.startswith("*")]
            if marked:  # 责任单位：A（牵头），B、C — the marked one leads, the rest help
                leads, cos = marked, plain
            else:
                leads = plain
        if "co" in fields:
            cos += self.units(_names(fields["co"]), strict=True, unresolved=unresolved)
        if "lead" not in fields:
            prose_leads, prose_cos = self._prose(narrative, unresolved)
            leads += prose_leads
            cos += prose_cos
        leads = list(dict.fromkeys(leads))
        lead = leads[0] if leads else None
        co = [c for c in dict.fromkeys([*leads[1:], *cos]) if c != lead]
        # dates: the 时限 field is the item's due date; dates in its text are its steps
        steps = find_deadlines(narrative, self.year)
        due = None
        if "due" in fields:
            due, ongoing = field_deadline(fields["due"], self.year)
            if ongoing:
                flags.append("ongoing")
        elif steps:
            due = max(d.on for d in steps)
        elif is_ongoing(narrative):
            flags.append("ongoing")
        if due is None and "ongoing" not in flags:
            flags.append("no_deadline")
        milestones = []
        for step in steps:
            if due is not None and step.on < due:
                title = _clause(narrative, step.start, step.end)
                if title and (step.on, title) not in milestones:
                    milestones.append((step.on, title))
        if not stated:  # a leader named but unknown stays unknown (listed), never replaced
            leader = self._overseer(lead)
            if leader:
                flags.append("leader_by_oversight")
        if lead is None:
            flags.append("no_lead_unit")
        title, goal = _title(narrative, node)
        return Draft(
            title=title,
            goal=goal,
            lead_unit=lead,
            co_units=co,
            lead_leader=leader,
            due_on=due,
            milestones=milestones,
            unresolved=unresolved,
            flags=flags,
        )

    def _prose(self, text: str, unresolved: list[str]) -> tuple[list[str], list[str]]:
        """（A牵头，B、C配合） or 由A牵头，B配合 / A负责 in running text."""
        groups = PAREN.findall(text) or [text]
        leads: list[str] = []
        cos: list[str] = []
        for group in groups:
            for segment in re.split(r"[，,；;。]", group):
                segment = segment.strip()
                found = RESPONSIBLE.search(segment)
                if not found:
                    continue
                names = _names(segment[: found.start()])
                strict = group is not text  # in brackets every name is meant as a unit
                codes = self.units(names, strict=strict, unresolved=unresolved)
                if found.group(1) in ("牵头", "负责"):
                    leads += [c.lstrip("*") for c in codes]
                else:
                    cos += [c.lstrip("*") for c in codes]
        return leads, cos

    def _overseer(self, code: str | None) -> str | None:
        if code is None:
            return None
        overseers = [name for name, codes in self.leaders.items() if code in codes]
        return overseers[0] if len(overseers) == 1 else None


def _clause(text: str, start: int, end: int) -> str:
    """The clause around a dated phrase: 2025年6月底前完成申报 → 完成申报 (its milestone)."""
    left = max(text.rfind(p, 0, start) for p in "，,。；;（(") + 1
    rights = [i for i in (text.find(p, end) for p in "，,。；;）)") if i >= 0]
    right = min(rights) if rights else len(text)
    clause = text[end:right].strip() or text[left:right].strip()
    clause = re.sub(r"^(?:前|底前|内)?(?:要|须|必须)?", "", clause)
    return clause[:200]


def _title(narrative: str, node: _Node) -> tuple[str, str]:
    """The item's title (its first sentence, responsibilities taken out) and its whole text."""
    if node.fields.get("task"):
        return node.fields["task"][:300], ""
    clean = PAREN.sub("", narrative).strip()
    first = re.split(r"[。；;]", clean, maxsplit=1)[0].strip("，, ")
    title = first if len(first) >= 4 else clean
    return title[:300], clean if clean != title else ""


def draft_items(
    text: str, directory: Directory, leaders: dict[str, list[str]], year: int
) -> list[Draft]:
    """The draft work items of a policy text (see the module's docstring)."""
    reader = _Reader(directory, leaders, year)
    drafts = []
    for node in split_nodes(text.splitlines()):
        if node.children:
            continue
        item_like = (
            node.level >= 3
            or bool(node.fields)
            or bool(FIELD.search("".join([node.head, *node.lines])))
            or bool(PAREN.search("".join([node.head, *node.lines])))
        )
        if not item_like or not (node.head or node.lines):
            continue
        draft = reader.read(node)
        headings = [p for p in node.parents if p.level < node.level]
        if headings:
            draft.measure = headings[-1].head
            draft.aspect = headings[0].head if len(headings) > 1 else ""
        drafts.append(draft)
    return drafts
