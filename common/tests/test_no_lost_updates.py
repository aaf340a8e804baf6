"""Two people edit the same record at once: the second save is refused and says why."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from audit.versions import StaleObjectError
from funding import services
from funding.models import Project, Target


@pytest.fixture
def cast(db):
    """ZJJ's officer and head and the office by their demo usernames; ZJJ's reserve project
    and its 2024 target of 3.6亿元 (not the whole demo)."""
    from funding.tests.factories import ProjectFactory
    from ledger.tests.factories import target
    from org.tests.factories import UnitFactory, cast_of

    zjj = UnitFactory(code="ZJJ")
    ProjectFactory(unit=zjj)
    target(zjj, 360_000_000)
    return cast_of("office", "zjj", "zjj_head", unit=zjj)


def test_two_sessions_advancing_the_same_project(cast):
    project = Project.objects.filter(unit__code="ZJJ", stage="reserve").first()
    officer, head = Client(), Client()
    officer.force_login(cast["zjj"])
    head.force_login(cast["zjj_head"])
    url = reverse("dashboard:project_advance", args=[project.pk])
    # both opened the workbench at version 1
    first = officer.post(url, {"to_stage": "applied", "on": "2024-06-20", "version": 1})
    assert first.status_code == 302
    second = head.post(url, {"to_stage": "applied", "on": "2024-06-21", "version": 1}, follow=True)
    page = second.content.decode()
    assert "他人已修改此记录" in page
    assert "zjj" in page and "阶段：储备 → 申报" in page and "stage reserve" not in page
    project.refresh_from_db()
    assert project.stage == "applied" and project.version == 2
    assert project.stage_changes.filter(changed_on=dt.date(2024, 6, 21)).count() == 0


def test_a_stale_target_revision_is_refused_with_the_other_change(cast):
    target = Target.objects.get(unit__code="ZJJ", year=2024)
    read_version = target.version
    services.set_target(
        user=cast["office"],
        unit=target.unit,
        year=2024,
        amount=400_000_000,
        reason="第一位",
        expected_version=read_version,
    )
    with pytest.raises(StaleObjectError) as refused:
        services.set_target(
            user=cast["office"],
            unit=target.unit,
            year=2024,
            amount=500_000_000,
            reason="第二位",
            expected_version=read_version,
        )
    message = refused.value.messages[0]
    assert "任务金额（元）：3.6亿元 → 4.0亿元" in message, message
    assert "360000000" not in message
    target.refresh_from_db()
    assert target.amount == 400_000_000
