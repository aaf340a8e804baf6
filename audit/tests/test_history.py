"""An object's history on its detail page: who, when, which field from what to what."""

import pytest
from django.urls import reverse

from audit.history import changes_of, history_for
from funding.models import Project
from funding.services import save_project
from funding.tests.factories import ChannelFactory, ProjectFactory
from org.tests.factories import UnitFactory, cast_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    """The office, and ZJJ's liaison officer with a project of their unit (not the whole
    demo)."""
    zjj = UnitFactory(code="ZJJ")
    ProjectFactory(unit=zjj, requested=20_000_000)
    return cast_of("office", "zjj", unit=zjj)


def test_changes_name_fields_translate_choices_and_resolve_ids():
    channels = ChannelFactory.create_batch(2)
    names = {"channel": {c.pk: str(c) for c in channels}}
    changes = changes_of(
        Project,
        {"stage": "applied", "channel": channels[0].pk, "requested": 1_000_000, "version": 1},
        {"stage": "in_review", "channel": channels[1].pk, "requested": 1_000_000, "version": 2},
        names,
    )
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("资金渠道", str(channels[0]), str(channels[1])),
        ("阶段", "申报", "审核"),
    ]


def test_a_project_change_appears_on_its_page(client, cast):
    project = Project.objects.filter(unit__code="ZJJ").order_by("pk").first()
    save_project(
        user=cast["office"],
        code=project.code,
        name=project.name + "（调整）",
        unit=project.unit,
        channel=project.channel,
        level=project.level,
        requested=(project.requested or 0) + 5_000_000,
        stage=project.stage,
        applied_on=project.applied_on,
        owner=project.owner,
        follow_up=project.follow_up,
        plan_year=project.plan_year,
        measure=project.measure,
    )
    entries = history_for(project)
    newest = entries[0]
    assert newest.event.actor_id == cast["office"].pk
    assert {c.field for c in newest.changes} == {"项目名称", "申请金额（元）"}
    client.force_login(cast["zjj"])
    html = client.get(reverse("funding:project_detail", args=[project.pk])).content.decode()
    assert project.name + "（调整）" in html and "<del>" in html


def test_history_is_not_shown_for_objects_of_another_unit(client, cast):
    other = ProjectFactory()  # a project of a unit of its own, not 住建局's
    client.force_login(cast["zjj"])
    assert client.get(reverse("funding:project_detail", args=[other.pk])).status_code == 404
