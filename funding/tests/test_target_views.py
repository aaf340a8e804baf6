import datetime as dt
import re

import pytest
from django.urls import reverse

from common.permissions import Role
from conftest import login, screenshot
from funding import services
from funding.models import Target
from funding.querysets import targets_in_force
from funding.tests.factories import ZJJ, TargetFactory
from org.tests.factories import PersonFactory, UnitFactory


@pytest.fixture
def target(team, half_year) -> Target:
    """ZJJ's 2024 target as the demo has it: 3亿元, raised by 孙丽 of the office to 3.6亿元
    from 20 June (one revision)."""
    target = TargetFactory(unit=UnitFactory(**ZJJ), year=2024, amount=300_000_000)
    sun_li = PersonFactory(first_name="孙丽", role=Role.OFFICE)
    target, _changed = services.set_target(
        user=sun_li,
        unit=target.unit,
        year=2024,
        amount=360_000_000,
        effective_on=dt.date(2024, 6, 20),
        reason="调增",
        expected_version=target.version,
    )
    return target


def test_raising_a_target_keeps_the_old_value_and_who_changed_it(client, team, target):
    client.force_login(team["office"])
    response = client.post(
        reverse("funding:target_edit", args=[target.pk]),
        {
            "amount": "8亿",
            "effective_on": "2024-07-01",
            "reason": "《意见》出台后再次调增",
            "version": target.version,
        },
        follow=True,
    )
    html = response.content.decode()
    target.refresh_from_db()
    assert target.amount == 800_000_000
    assert "《意见》出台后再次调增" in html and "3.6亿元" in html and "8.0亿元" in html
    revision = target.revisions.first()
    assert revision.changed_by == team["office"] and revision.effective_on == dt.date(2024, 7, 1)
    # the history shows each revision's effective date, old → new, reason and who
    rows = re.findall(r"<tr><td class=\"date\" data-effective=\"([\d-]+)\">", html)
    assert rows == ["2024-07-01", "2024-06-20"]
    assert "孙丽" in html and "从2024-07-01起" in html
    # the reporting date (30 June) still uses the target in force then
    assert targets_in_force(2024, dt.date(2024, 6, 30))[target.unit_id] == 360_000_000
    assert 'data-figure="in-force"' in html


def test_the_form_refuses_an_effective_date_outside_the_year(client, team, target):
    client.force_login(team["office"])
    for day in ("2025-01-01", "2023-12-31", "2024-02-30", "明天"):
        html = client.post(
            reverse("funding:target_edit", args=[target.pk]),
            {"amount": "8亿", "effective_on": day, "reason": "调增", "version": target.version},
        ).content.decode()
        assert 'class="field-error"' in html, day
    target.refresh_from_db()
    assert target.amount == 360_000_000 and target.revisions.count() == 1
    refused = client.post(
        reverse("funding:target_edit", args=[target.pk]),
        {"amount": "8亿", "effective_on": "2025-01-01", "reason": "调增", "version": 2},
    )
    assert "生效日期须在2024年内" in refused.content.decode()


def test_the_form_proposes_the_day_saved_kept_inside_the_year(client, team, target):
    client.force_login(team["office"])
    html = client.get(reverse("funding:target_edit", args=[target.pk])).content.decode()
    # today is after 2024, so the nearest day of 2024 is proposed, and the picker is bounded
    field = re.search(r"<input[^>]*name=\"effective_on\"[^>]*>", html).group(0)
    assert 'min="2024-01-01"' in field and 'max="2024-12-31"' in field
    assert 'value="2024-12-31"' in field


def test_a_bad_amount_keeps_what_was_typed(client, team, target):
    client.force_login(team["office"])
    html = client.post(
        reverse("funding:target_edit", args=[target.pk]),
        {"amount": "八亿", "reason": "保留原因", "version": target.version},
    ).content.decode()
    assert "不是金额" in html and 'value="八亿"' in html and 'value="保留原因"' in html


def test_units_read_the_history_but_cannot_change_it(client, team, target):
    client.force_login(team["zjj"])
    assert client.get(reverse("funding:target_edit", args=[target.pk])).status_code == 200
    assert (
        client.post(
            reverse("funding:target_edit", args=[target.pk]),
            {
                "amount": "1",
                "effective_on": "2024-07-01",
                "reason": "x",
                "version": target.version,
            },
        ).status_code
        == 403
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_raises_a_target_and_sees_the_status_change(demo, new_page):
    page = new_page()
    login(page, "office")
    target = Target.objects.get(unit__code="ZJJ", year=2024)
    page.goto(reverse("dashboard:unit", args=[target.unit_id]))
    assert page.locator('[data-figure="unit-status"]').inner_text() == "超时间进度"
    page.goto(reverse("funding:target_list"))
    page.get_by_role("link", name="修改市住房和城乡建设局的任务").click()
    page.fill("#id_amount", "80000")
    # effective before the reporting date (30 June), so the mid-year status changes
    page.fill("#id_effective_on", "2024-06-25")
    page.fill("#id_reason", "《意见》出台后按市委要求再次调增")
    page.click("#target-submit")
    page.wait_for_selector(".message.success")
    assert page.locator('[data-figure="target"]').inner_text() == "8.0亿元"
    latest = page.locator("#revisions tbody tr").first.inner_text()
    assert "再次调增" in latest and "2024-06-25" in latest
    screenshot(page, "target-raised")
    page.goto(reverse("dashboard:unit", args=[target.unit_id]))
    assert page.locator('[data-figure="unit-status"]').inner_text() == "低于时间进度"
    page.goto(reverse("dashboard:cockpit"))
    assert page.locator('[data-figure="ahead"]').inner_text() == "3"
    assert page.locator('[data-figure="behind"]').inner_text() == "9"
