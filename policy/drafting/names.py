"""Unit names as documents write them, resolved to units by full name and alias (简称).

`derive_aliases` makes the short names a unit is usually called by from its full name
(市住房和城乡建设局 → 市住建局, 住建局, 市住房城乡建设局…); the office edits them. A
`Directory` resolves a name to one unit, a collective name (各街道办事处) to every unit of
that kind, and anything else to nothing: an alias two units share resolves to neither.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# Words of a unit's name and how they are shortened in documents (government usage).
SHORT_WORDS: dict[str, tuple[str, ...]] = {
    "发展和改革": ("发展改革", "发改"),
    "住房和城乡建设": ("住房城乡建设", "住建", "住房城乡建"),
    "自然资源和规划": ("自然资源规划", "自然资源", "资规"),
    "交通运输": ("交通", "交运"),
    "农业农村": ("农业",),
    "生态环境": ("环保",),
    "卫生健康": ("卫健", "卫生"),
    "文化和旅游": ("文化旅游", "文旅"),
    "经济和信息化": ("经济信息化", "经信"),
    "工业和信息化": ("工业信息化", "工信"),
    "人力资源和社会保障": ("人力资源社会保障", "人社"),
    "科学技术": ("科技",),
    "城市管理": ("城管",),
    "国有资产监督管理": ("国资",),
    "市场监督管理": ("市场监管",),
    "医疗保障": ("医保",),
    "数据资源管理": ("数据资源", "数据"),
    "应急管理": ("应急",),
    "城市建设投资": ("城投",),
    "高新技术产业开发区": ("高新区",),
    "经济技术开发区": ("经开区", "经济开发区"),
}
# Endings and their shorter forms: 委员会 → 委, 集团有限公司 → 集团 / 公司…
SHORT_ENDINGS: dict[str, tuple[str, ...]] = {
    "委员会": ("委", "委员会"),
    "集团有限公司": ("集团", "公司", "集团公司"),
    "有限公司": ("公司",),
    "管委会": ("管委会", ""),
    "管理委员会": ("管委会", ""),
    "人民政府": ("人民政府", "政府", ""),
    "办事处": ("办事处", "办", ""),
}
PREFIXES = ("市", "县", "区")
# Suffixes that make a phrase look like a unit's name (a name that does not resolve is then
# listed as unresolved; other words near 牵头/负责 are not names at all).
UNIT_ENDINGS = re.compile(
    r"(局|委|办|办公室|处|室|厅|部|中心|公司|集团|管委会|政府|街道|镇|乡|区|院|所|队|站|行|会|社|"
    r"部门|单位|园区|分局|支队|大队|银行)$"
)

# Collective names: (pattern, kind, what the unit's name must contain)
COLLECTIVE = [
    (
        re.compile(r"^各(?:乡镇|镇)[（(]?街道(?:办事处)?[）)]?$|^各镇街$|^各乡镇街道$"),
        "township",
        "",
    ),
    (re.compile(r"^各(?:街道办事处|街道|街道办)$"), "township", "街道"),
    (re.compile(r"^各(?:乡镇|镇)(?:人民政府)?$"), "township", "镇"),
    (re.compile(r"^各(?:开发区|园区)(?:管委会)?$"), "", "开发区"),
]


def normalise(name: str) -> str:
    """Full-width to half-width, brackets unified, spaces and quotes removed."""
    name = unicodedata.normalize("NFKC", name)
    name = name.replace("(", "（").replace(")", "）")
    return re.sub(r"[\s“”\"'‘’]", "", name)


def derive_aliases(name: str) -> set[str]:
    """The short names a unit is called by, from its full name (not including it)."""
    name = normalise(name)
    prefix = next((p for p in PREFIXES if name.startswith(p) and len(name) > 3), "")
    core = name[len(prefix) :]
    ending, endings = "", ("",)
    for full, shorts in SHORT_ENDINGS.items():
        if core.endswith(full):
            core, ending, endings = core[: -len(full)], full, shorts
            break
    cores = {core}
    for word, shorts in SHORT_WORDS.items():
        for variant in list(cores):
            if word in variant:
                cores |= {variant.replace(word, short) for short in shorts}
    cores |= {c.replace("和", "") for c in cores if "和" in c}
    aliases = set()
    for c in cores:
        for e in {ending, *endings}:
            for p in {prefix, ""}:
                alias = p + c + e
                if len(alias) >= 3 and alias != name:
                    aliases.add(alias)
    # 东城街道办事处 → 东城街道; 城关镇人民政府 → 城关镇 (the ending dropped, "" above)
    for c in cores:
        if c.endswith(("街道", "镇", "乡")) and len(c) >= 3:
            aliases.add(c)
    # 高新技术产业开发区管委会 → 高新区: a development zone is called by its zone
    for c in cores:
        if c.endswith("区") and ending in ("管委会", "管理委员会") and len(c) >= 3:
            aliases.add(c)
    aliases.discard(name)
    return aliases


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str
    kind: str


@dataclass
class Directory:
    """Units and every name each is known by; resolves names strictly (never a guess)."""

    units: list[UnitRef]
    aliases: dict[str, str] = field(default_factory=dict)  # normalised alias → code
    ambiguous: set[str] = field(default_factory=set)

    @classmethod
    def build(
        cls, units: Iterable[UnitRef], extra: Iterable[tuple[str, str]] = (), derive: bool = True
    ) -> "Directory":
        """`extra`: (alias, unit code) kept by the office. Derived aliases two units share
        are dropped (ambiguous); a full name always wins over an alias."""
        units = list(units)
        directory = cls(units=units)
        names: dict[str, set[str]] = {}
        if derive:
            for unit in units:
                for alias in derive_aliases(unit.name):
                    names.setdefault(alias, set()).add(unit.code)
        for alias, code in extra:
            names[normalise(alias)] = {code}  # the office's word overrides the derivation
        for alias, codes in names.items():
            if len(codes) == 1:
                directory.aliases[alias] = next(iter(codes))
            else:
                directory.ambiguous.add(alias)
        for unit in units:  # full names last: they override any alias
            directory.aliases[normalise(unit.name)] = unit.code
            directory.ambiguous.discard(normalise(unit.name))
        return directory

    def resolve(self, name: str) -> list[str]:
        """The codes `name` stands for: one unit, every unit of a collective name, or []."""
        name = normalise(name).strip("，,、；;。:：")
        name = re.sub(r"[（(](?:牵头|配合|负责|协办)[）)]$", "", name)
        if not name:
            return []
        for pattern, kind, contains in COLLECTIVE:
            if pattern.match(name):
                return [
                    u.code
                    for u in self.units
                    if (not kind or u.kind == kind) and contains in u.name
                ]
        for candidate in (name, *(p + name for p in PREFIXES), name.removeprefix("市")):
            code = self.aliases.get(candidate)
            if code is not None:
                return [code]
        return []


def looks_like_unit(name: str) -> bool:
    """A phrase that reads as a unit's name (so an unknown one is reported, not ignored)."""
    name = normalise(name)
    return 2 <= len(name) <= 30 and bool(UNIT_ENDINGS.search(name))
