"""A reserve project's page lists the open guides it fits, scored exactly as each guide's page
ranks it, without matching every guide against the whole reserve on every view (issue 21)."""

import re

import pytest

from funding.choices import Stage
from funding.matching import document_counts, fits_of_project, matches_for
from funding.models import Guide, Project
from org.period import office_period


def fitting(html: str) -> dict[str, str]:
    """guide id → fit (high / medium / low), as the project page's “open guides” card shows
    them (the score in words, issue 20)."""
    card = html.split('id="fitting-guides"', 1)[1].split("</section>", 1)[0]
    return dict(
        re.findall(r'href="/funding/guides/(\d+)/">[^<]*</a>.*?class="score fit-(\w+)"', card)
    )


@pytest.mark.parametrize("username", ["office", "zjj"])
def test_the_project_page_scores_each_guide_as_the_guide_page_does(demo, client, cast, username):
    user = cast[username]
    as_of = office_period().as_of
    guides = list(Guide.objects.visible_to(user).filter(deadline__gte=as_of))
    expected = {}
    for guide in guides:
        for match in matches_for(guide, user, limit=None):
            expected.setdefault(match.project.pk, {})[str(guide.pk)] = (match.score, match.fit)
    assert expected, "the demo has reserve projects that fit open guides"
    client.force_login(user)
    checked = 0
    for project in Project.objects.visible_to(user).filter(stage=Stage.RESERVE, pk__in=expected):
        html = client.get(f"/funding/projects/{project.pk}/").content.decode()
        best = sorted(expected[project.pk].items(), key=lambda kv: -kv[1][0])[:5]
        assert fitting(html) == {guide: fit for guide, (_score, fit) in best}
        checked += 1
    assert checked


def test_one_project_is_matched_with_the_reserve_counted_once(demo, cast):
    office = cast["office"]
    project = Project.objects.filter(stage=Stage.RESERVE).order_by("pk").first()
    counts = document_counts(office)
    assert counts[1] == Project.objects.filter(stage=Stage.RESERVE).count()
    guides = list(Guide.objects.all())
    mine = fits_of_project(project, guides, counts)
    for guide, match in mine:
        ranked = {m.project.pk: m.score for m in matches_for(guide, office, limit=None)}
        assert ranked[project.pk] == match.score
