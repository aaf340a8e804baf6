"""Guides matched to reserve projects (design §9): ranked by fit, each with its reasons.

The fit of a project to a guide is a weighted overlap of their words (jieba segmentation),
each word weighted by where it stands — a guide's title counts more than its conditions, a
project's name more than its description — and by how rare it is among the candidate
projects (a word every project has tells nothing). To that come the fit of channel and level,
whether the guide names the project's unit, and whether the project can be ready by the
deadline. Every point a project scores is one of its reasons, in words.

`rank(guide, projects)` works on plain `GuideText`/`ProjectText` (the benchmark uses it
without a database); `matches_for(guide, viewer)` reads the reserve a viewer may see.
"""

import datetime as dt
import functools
import logging
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

# field weights: where a word stands says how much it tells
GUIDE_WEIGHTS = {"title": 3.0, "scope": 2.0, "conditions": 1.0}
PROJECT_WEIGHTS = {"name": 3.0, "description": 1.5, "measure": 1.0}
CHANNEL_BONUS = 0.25  # share of the text score a same-channel project gains
LEVEL_BONUS = 0.08
UNIT_BONUS = 0.15
LATE_PENALTY = 0.5  # a project planned beyond the round keeps half its score
MIN_SCORE = 2.0  # below this the shared words are generic (改造, 配套)
# The score has no natural top (it grows with the words a guide and a project share), so pages
# say it in words. On the demo a project written for the guide scores 10 to 30 (a title that
# names the same work, same channel); 5 to 10 shares the main subject; under 5 a word or two.
FIT_HIGH = 10.0
FIT_MEDIUM = 5.0
FIT_LABELS = {
    "high": pgettext_lazy("fit", "High fit"),
    "medium": pgettext_lazy("fit", "Medium fit"),
    "low": pgettext_lazy("fit", "Low fit"),
}


def fit_level(score: float) -> str:
    """`high`, `medium` or `low`: how a page says a match's score."""
    if score >= FIT_HIGH:
        return "high"
    if score >= FIT_MEDIUM:
        return "medium"
    return "low"


# Words of the trade jieba does not know as one word.
DOMAIN_WORDS = [
    "老旧小区",
    "地下管网",
    "城中村",
    "排水防涝",
    "专项债券",
    "特别国债",
    "预算内投资",
    "保障性安居工程",
    "保障性住房",
    "海绵城市",
    "污水处理",
    "雨污分流",
    "冷链物流",
    "高标准农田",
    "城市更新",
    "历史文化街区",
    "步行街",
    "产业园区",
    "标准厂房",
    "供水管网",
    "燃气管道",
    "停车设施",
    "充电桩",
    "国省道",
    "农村公路",
    "防洪",
    "堤防",
    "水毁",
    "中小河流",
    "灌区",
    "水环境",
    "黑臭水体",
    "土壤污染",
    "垃圾分类",
    "医共体",
    "县域医疗",
    "基层医疗",
    "传染病",
    "职业教育",
    "义务教育",
    "普惠托育",
    "养老服务",
    "社区养老",
    "文旅街区",
    "夜间经济",
    "县域商业",
    "电子商务",
    "数字经济",
    "智慧城市",
    "政务云",
    "人才公寓",
    "技能培训",
    "科技创新",
    "孵化器",
    "专精特新",
    "技术改造",
    "增减挂钩",
    "低效用地",
    "土地整治",
    "生态修复",
    "矿山修复",
    "林地",
    "森林防火",
    "应急避难",
    "消防救援",
    "地质灾害",
    "城市生命线",
    "一刻钟便民生活圈",
    "老年助餐",
    "无障碍",
    "口袋公园",
    "绿道",
    "背街小巷",
    "城市更新基金",
    "引导基金",
    "文物保护",
    "非遗",
]
STOPWORDS = set(
    "的 和 与 及 等 对 在 为 按 由 将 向 并 或 其 中 上 下 年 年度 月 日 项目 工程 建设 申报 "
    "指南 通知 办法 关于 组织 开展 做好 实施 支持 资金 专项 补助 奖补 省级 中央 市级 市 省 "
    "县 区 我市 全市 有关 相关 工作 要求 重点 方面 提升 推进 加快 进一步 单位 部门 一批 "
    "万元 亿元 以上 以下 不 超过 已 须 应 可 包括 主要 用于 范围 条件 材料 批复 一 二 三".split()
)
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")


@dataclass
class GuideText:
    code: str
    title: str
    scope: str = ""
    conditions: str = ""
    channel: str = ""  # channel name
    level: str = ""
    deadline: dt.date | None = None
    unit_codes: frozenset[str] = frozenset()
    materials: list[str] = field(default_factory=list)  # the checklist the guide asks for


@dataclass
class ProjectText:
    code: str
    name: str
    description: str = ""
    measure: str = ""
    channel: str = ""
    level: str = ""
    unit_code: str = ""
    plan_year: int | None = None
    materials: set[str] = field(default_factory=set)  # checklist items already attached
    pk: int | None = None


@dataclass
class Match:
    project: ProjectText
    score: float
    reasons: list[str]
    terms: list[str]
    missing: list[str]

    @property
    def fit(self) -> str:
        return fit_level(self.score)

    @property
    def fit_label(self) -> str:
        return str(FIT_LABELS[self.fit])


_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """One jieba tokenizer of our own (the global one is left alone), loaded once."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            made = jieba.Tokenizer()
            for word in DOMAIN_WORDS:
                made.add_word(word, freq=2000)
            made.initialize()
            _tokenizer = made
    return _tokenizer


def words(text: str) -> list[str]:
    """The words of a text that can say something about fit (search mode: 老旧小区改造 gives
    老旧, 小区, 老旧小区, 改造)."""
    if not text:
        return []
    return [w for w in tokenizer().lcut_for_search(text) if _WORD.match(w) and w not in STOPWORDS]


def _weighted(parts: dict[str, str], weights: dict[str, float]) -> Counter:
    bag: Counter = Counter()
    for name, text in parts.items():
        for word in set(words(text)):
            bag[word] = max(bag[word], weights[name])
    return bag


def _project_bag(p: ProjectText) -> Counter:
    return _bag_of(p.name, p.description, p.measure)


@functools.lru_cache(maxsize=65_536)
def _bag_of(name: str, description: str, measure: str) -> Counter:
    # segmenting is most of matching's cost and a project's text rarely changes: each text is
    # segmented once per process (the bags are only read, never changed)
    return _weighted(
        {"name": name, "description": description, "measure": measure}, PROJECT_WEIGHTS
    )


def _missing(guide: GuideText, project: ProjectText) -> list[str]:
    return [m for m in guide.materials if m not in project.materials]


def rank(
    guide: GuideText,
    projects: list[ProjectText],
    *,
    limit: int | None = 10,
    bags: dict[str, Counter] | None = None,
    counts: tuple[Counter, int] | None = None,
) -> list[Match]:
    """The projects that fit the guide, best first, each with its reasons. `counts`: how
    many candidates each word occurs in and how many candidates there are, when `projects`
    are only some of the candidates (`document_counts`); by default `projects` are all."""
    if not projects:
        return []
    bags = bags if bags is not None else {p.code: _project_bag(p) for p in projects}
    if counts is None:
        documents = Counter(word for p in projects for word in bags[p.code])
        total = len(projects)
    else:
        documents, total = counts
    guide_bag = _weighted(
        {"title": guide.title, "scope": guide.scope, "conditions": guide.conditions},
        GUIDE_WEIGHTS,
    )
    guide_norm = math.sqrt(sum(w * w for w in guide_bag.values())) or 1.0
    matches = []
    for project in projects:
        bag = bags[project.code]
        shared = {}
        for word, weight in guide_bag.items():
            if word in bag:
                idf = math.log(1 + total / (1 + documents[word]))
                shared[word] = weight * bag[word] * idf
        text_score = sum(shared.values()) / guide_norm
        if text_score <= 0:
            continue
        reasons = []
        # longer words first: 老旧小区 says more than 小区
        terms = sorted(shared, key=lambda w: (-shared[w], -len(w), w))
        shown = [w for w in terms if not any(w != o and w in o for o in terms)][:6]
        reasons.append(_("Matched terms: %(terms)s") % {"terms": "、".join(shown)})
        factor = 1.0
        if guide.channel and project.channel == guide.channel:
            factor += CHANNEL_BONUS
            reasons.append(_("Same channel: %(channel)s") % {"channel": guide.channel})
        elif guide.channel and project.channel:
            reasons.append(
                _("Other channel: the project plans %(channel)s") % {"channel": project.channel}
            )
        if guide.level and project.level == guide.level:
            factor += LEVEL_BONUS
            reasons.append(_("Same level"))
        if guide.unit_codes and project.unit_code in guide.unit_codes:
            factor += UNIT_BONUS
            reasons.append(_("The guide names the project's unit"))
        if guide.deadline and project.plan_year:
            # a round closing in year Y funds projects starting in Y or Y+1
            if project.plan_year > guide.deadline.year + 1:
                factor *= LATE_PENALTY
                reasons.append(
                    _("Planned for %(year)s: later than this round (deadline %(deadline)s)")
                    % {"year": project.plan_year, "deadline": guide.deadline.isoformat()}
                )
            elif project.plan_year >= guide.deadline.year:
                reasons.append(
                    _("Planned for %(year)s: fits this round (deadline %(deadline)s)")
                    % {"year": project.plan_year, "deadline": guide.deadline.isoformat()}
                )
        missing = _missing(guide, project)
        if missing:
            reasons.append(_("Missing materials: %(names)s") % {"names": "、".join(missing)})
        elif guide.materials:
            reasons.append(_("All required materials attached"))
        score = round(text_score * factor, 2)
        if score < MIN_SCORE:
            continue
        matches.append(Match(project, score, reasons, shown, missing))
    matches.sort(key=lambda m: (-m.score, m.project.code))
    return matches[:limit] if limit else matches


# --- from the database ------------------------------------------------------------------


def guide_text(guide, materials: list[str]) -> GuideText:
    return GuideText(
        code=guide.code,
        title=guide.title,
        scope=guide.scope,
        conditions=guide.conditions,
        channel=guide.channel.name if guide.channel_id else "",
        level=guide.level,
        deadline=guide.deadline,
        unit_codes=frozenset(u.code for u in guide.units.all()),
        materials=materials,
    )


def requirement_names() -> dict[int | None, list[str]]:
    """channel id (None: every channel) → its checklist's names, in order. One query."""
    from .models import MaterialRequirement

    names: dict[int | None, list[str]] = {}
    for channel_id, name in MaterialRequirement.objects.order_by("sort_order", "name").values_list(
        "channel_id", "name"
    ):
        names.setdefault(channel_id, []).append(name)
    return names


def required_materials(guide, names: dict[int | None, list[str]] | None = None) -> list[str]:
    """The checklist a guide asks for: its channel's items and those of every channel."""
    names = requirement_names() if names is None else names
    wanted = [*names.get(None, []), *(names.get(guide.channel_id, []) if guide.channel_id else [])]
    return list(dict.fromkeys(wanted))


def reserve_texts(projects) -> list[ProjectText]:
    """Reserve projects as the matcher reads them (two queries whatever their number)."""
    from .models import ProjectMaterial

    # plain values, not model instances: a province's reserve is 9,000 projects
    rows = list(
        projects.values_list(
            "pk",
            "code",
            "name",
            "description",
            "measure__text",
            "channel__name",
            "level",
            "unit__code",
            "plan_year",
        )
    )
    attached: dict[int, set[str]] = {}
    for project_id, name in ProjectMaterial.objects.filter(
        project_id__in=projects.values("pk"), requirement__isnull=False
    ).values_list("project_id", "requirement__name"):
        attached.setdefault(project_id, set()).add(name)
    return [
        ProjectText(
            code=code,
            name=name,
            description=description,
            measure=measure or "",
            channel=channel or "",
            level=level,
            unit_code=unit_code,
            plan_year=plan_year,
            materials=attached.get(pk, set()),
            pk=pk,
        )
        for pk, code, name, description, measure, channel, level, unit_code, plan_year in rows
    ]


def _reserve(viewer):
    from .choices import Stage
    from .models import Project

    projects = Project.objects.filter(stage=Stage.RESERVE)
    return projects if viewer is None else projects.visible_to(viewer)


def document_counts(viewer=None) -> tuple[Counter, int]:
    """How many reserve projects `viewer` may see each word occurs in, and how many there
    are: the rarity `rank` weighs a shared word by. Reading and segmenting the whole reserve
    is the cost of matching (9,000 projects: about a second), so a page that matches one
    project keeps this under the data stamps (`funding/pipeline_views.project_context`)."""
    texts = reserve_texts(_reserve(viewer))
    return Counter(word for p in texts for word in _project_bag(p)), len(texts)


def fits_of_project(project, guides, counts: tuple[Counter, int]) -> list[tuple[object, Match]]:
    """The guides among `guides` that `project` fits, each with its match, scored exactly as
    the guide's own page ranks it among the reserve (`counts` from `document_counts`)."""
    from .models import Project

    texts = reserve_texts(Project.objects.filter(pk=project.pk))
    if not texts:
        return []
    names = requirement_names()
    out = []
    for guide in guides:
        found = rank(
            guide_text(guide, required_materials(guide, names)), texts, limit=None, counts=counts
        )
        if found:
            out.append((guide, found[0]))
    return out


def matches_for(guide, viewer=None, *, limit: int | None = 10) -> list[Match]:
    """The reserve projects that fit `guide`, among those `viewer` may see (None: all)."""
    from .choices import Stage
    from .models import Project

    projects = Project.objects.filter(stage=Stage.RESERVE)
    if viewer is not None:
        projects = projects.visible_to(viewer)
    return rank(guide_text(guide, required_materials(guide)), reserve_texts(projects), limit=limit)


def match_all(guides, viewer=None, *, limit: int | None = 10) -> list[tuple[object, list[Match]]]:
    """Every guide with its matches; the reserve is read and segmented once."""
    from .choices import Stage
    from .models import Project

    projects = Project.objects.filter(stage=Stage.RESERVE)
    if viewer is not None:
        projects = projects.visible_to(viewer)
    texts = reserve_texts(projects)
    bags = {p.code: _project_bag(p) for p in texts}
    names = requirement_names()
    return [
        (
            guide,
            rank(
                guide_text(guide, required_materials(guide, names)), texts, limit=limit, bags=bags
            ),
        )
        for guide in guides
    ]
