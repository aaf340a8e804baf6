"""The pipeline's pages run a bounded number of queries (no N+1): the count does not depend
on how many projects, materials, guides or matches there are."""

import pytest
from django.urls import reverse

from funding.models import Guide, Project

pytestmark = pytest.mark.django_db

BOUNDS = {
    "project": 40,
    "guide": 30,
    "rates": 25,
    "leads": 25,
    "counterparts": 20,
    "workbench": 60,
}


def _urls(project=None, guide=None):
    """The pipeline's pages, of the demo's project CB2025-ZJJ-02 and guide ZN2024-102 unless
    given others."""
    project = project or Project.objects.get(code="CB2025-ZJJ-02")
    guide = guide or Guide.objects.get(code="ZN2024-102")
    return {
        "project": reverse("funding:project_detail", args=[project.pk]),
        "guide": reverse("funding:guide_detail", args=[guide.pk]),
        "rates": reverse("funding:rates") + "?year=2024&as_of=2024-06-30",
        "leads": reverse("funding:lead_list"),
        "counterparts": reverse("funding:counterpart_list"),
        "workbench": reverse("dashboard:workbench"),
    }


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_pipeline_pages_have_bounded_queries(
    name, demo, client, cast, django_assert_max_num_queries
):
    client.force_login(cast["zjj"])
    url = _urls()[name]
    client.get(url)  # the session's first-request checks
    with django_assert_max_num_queries(BOUNDS[name]):
        assert client.get(url).status_code == 200


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_counts_do_not_grow_with_more_projects_guides_and_files(client, team, half_year):
    import datetime as dt

    from funding import services
    from funding.tests.factories import ContactFactory, GuideFactory, LeadFactory, ProjectFactory

    zjj = team["zjj"].membership.unit
    # one of each to start from: a reserve project with a file, a guide it fits, a lead, a
    # contact
    project = ProjectFactory(unit=zjj, name="老旧小区改造加装电梯项目", plan_year=2025)
    services.attach_material(user=None, project=project, name="材料.pdf", content=b"%PDF-1.4 x")
    guide = GuideFactory(title="老旧小区改造补助资金申报通知", units=[zjj])
    LeadFactory(unit=zjj)
    ContactFactory(unit=zjj, project=project)
    client.force_login(team["zjj"])
    urls = _urls(project, guide)
    for url in urls.values():
        client.get(url)
    before = {name: _count(client, url) for name, url in urls.items()}
    for n in range(4):
        project = services.create_project(
            user=team["zjj"],
            code=f"Q-{n}",
            unit=zjj,
            name=f"老旧小区改造加装电梯项目{n}",
            description="老旧小区改造，加装电梯，完善配套",
            plan_year=2025,
        )
        services.attach_material(
            user=team["zjj"], project=project, name=f"材料{n}.pdf", content=b"%PDF-1.4 x"
        )
        services.save_guide(
            user=team["office"],
            title=f"老旧小区改造补助资金申报通知{n}",
            issuer="省住房和城乡建设厅",
            level="provincial",
            published_on=dt.date(2024, 6, 20),
            deadline=dt.date(2024, 8, 1 + n),
            units=[zjj],
        )
    after = {name: _count(client, url) for name, url in urls.items()}
    assert after == before
