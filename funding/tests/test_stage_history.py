"""The project page's stage history names the stages moved from and to, in Chinese."""

import datetime as dt
import re

from django.urls import reverse

from funding import services
from funding.choices import Stage
from funding.tests.factories import ProjectFactory


def test_stage_history_is_headed_by_the_stages_not_by_dates(client, team):
    project = ProjectFactory()
    for stage, day in ((Stage.APPLIED, 5), (Stage.IN_REVIEW, 20)):
        services.advance_project(
            user=None, project=project, to_stage=stage, on=dt.date(2024, 3, day)
        )
    change = project.stage_changes.exclude(from_stage="").first()
    assert change is not None
    client.force_login(team["office"])
    page = client.get(
        reverse("funding:project_detail", args=[change.project_id]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    section = page.split("<h2>阶段变化</h2>")[1].split("</section>")[0]
    head = re.search(r"<thead>(.*?)</thead>", section, re.S)
    assert head is not None and "<tbody>" in section
    headings = re.findall(r"<th[^>]*>([^<]*)</th>", head.group(1))
    assert headings[1:3] == ["变更前阶段", "变更后阶段"]
    assert "起始日期" not in head.group(1) and "截止日期" not in head.group(1)
