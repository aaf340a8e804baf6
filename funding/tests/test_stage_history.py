"""The project page's stage history names the stages moved from and to, in Chinese."""

import re

from django.urls import reverse

from funding.models import ProjectStageChange


def test_stage_history_is_headed_by_the_stages_not_by_dates(client, cast):
    change = ProjectStageChange.objects.exclude(from_stage="").select_related("project").first()
    assert change is not None, "the demo records stage changes"
    client.force_login(cast["office"])
    page = client.get(
        reverse("funding:project_detail", args=[change.project_id]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    section = page.split("<h2>阶段变更</h2>")[1].split("</section>")[0]
    head = re.search(r"<thead>(.*?)</thead>", section, re.S)
    assert head is not None and "<tbody>" in section
    headings = re.findall(r"<th[^>]*>([^<]*)</th>", head.group(1))
    assert headings[1:3] == ["原阶段", "新阶段"]
    assert "起始日期" not in head.group(1) and "截止日期" not in head.group(1)
