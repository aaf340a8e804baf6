"""A reserve project's page lists the open guides it fits, scored exactly as each guide's page
ranks it, without matching every guide against the whole reserve on every view (issue 21)."""

import datetime as dt
import re

import pytest

from funding.choices import Stage
from funding.matching import document_counts, fits_of_project, matches_for
from funding.models import Guide, Project
from funding.tests.factories import ZJJ, GuideFactory, ProjectFactory
from org.period import office_period
from org.tests.factories import UnitFactory

RENEWAL = "城镇老旧小区改造中央预算内投资项目申报指南"


@pytest.fixture
def reserve(team, half_year):
    """Open guides for ZJJ and SLJ, one closed before the reporting date, and reserve projects
    of both units that fit them more or less (one not at all; one fitting but applied)."""
    zjj, slj = UnitFactory(**ZJJ), UnitFactory(code="SLJ", name="市水利局")
    renewal = "老旧小区改造、加装电梯和小区内地下管网更新"
    drainage = "排涝泵站建设和易涝积水点整治"
    GuideFactory(title=RENEWAL, scope=renewal, units=[zjj])
    GuideFactory(title="城市排水防涝能力提升项目申报指南", scope=drainage, units=[zjj, slj])
    GuideFactory(title="城市地下管网更新改造项目申报指南", scope=renewal, units=[zjj, slj])
    GuideFactory(
        title="已截止的老旧小区改造指南",
        scope=renewal,
        published_on=dt.date(2024, 5, 1),
        deadline=dt.date(2024, 6, 1),
    )
    for unit, name, description in (
        (zjj, "南湖片区城镇老旧小区改造项目", "加装电梯，更新地下管网"),
        (zjj, "城区老旧小区加装电梯工程", ""),
        (zjj, "城区易涝积水点整治工程", "新建排涝泵站2座"),
        (zjj, "城区道路照明提升工程", "更换路灯"),
        (slj, "城区排涝泵站建设项目", "易涝积水点整治，更新地下管网"),
    ):
        ProjectFactory(unit=unit, name=name, description=description)
    ProjectFactory(unit=zjj, name="北湖片区城镇老旧小区改造项目", stage=Stage.APPLIED)


def fitting(html: str) -> dict[str, str]:
    """guide id → fit (high / medium / low), as the project page's “open guides” card shows
    them (the score in words, issue 20)."""
    card = html.split('id="fitting-guides"', 1)[1].split("</section>", 1)[0]
    return dict(
        re.findall(r'href="/funding/guides/(\d+)/">[^<]*</a>.*?class="score fit-(\w+)"', card)
    )


@pytest.mark.parametrize("username", ["office", "zjj"])
def test_the_project_page_scores_each_guide_as_the_guide_page_does(client, team, reserve, username):
    user = team[username]
    as_of = office_period().as_of
    guides = list(Guide.objects.visible_to(user).filter(deadline__gte=as_of))
    expected = {}
    for guide in guides:
        for match in matches_for(guide, user, limit=None):
            expected.setdefault(match.project.pk, {})[str(guide.pk)] = (match.score, match.fit)
    assert expected, "reserve projects fit open guides"
    client.force_login(user)
    checked = 0
    for project in Project.objects.visible_to(user).filter(stage=Stage.RESERVE, pk__in=expected):
        html = client.get(f"/funding/projects/{project.pk}/").content.decode()
        best = sorted(expected[project.pk].items(), key=lambda kv: -kv[1][0])[:5]
        assert fitting(html) == {guide: fit for guide, (_score, fit) in best}
        checked += 1
    assert checked


def test_one_project_is_matched_with_the_reserve_counted_once(team, reserve):
    office = team["office"]
    project = Project.objects.filter(stage=Stage.RESERVE).order_by("pk").first()
    counts = document_counts(office)
    assert counts[1] == Project.objects.filter(stage=Stage.RESERVE).count()
    guides = list(Guide.objects.all())
    mine = fits_of_project(project, guides, counts)
    for guide, match in mine:
        ranked = {m.project.pk: m.score for m in matches_for(guide, office, limit=None)}
        assert ranked[project.pk] == match.score
