import pytest
from django.urls import reverse

from conftest import login, screenshot
from funding.models import Target


def test_raising_a_target_keeps_the_old_value_and_who_changed_it(client, cast):
    target = Target.objects.get(unit__code="ZJJ", year=2024)
    client.force_login(cast["office"])
    response = client.post(
        reverse("funding:target_edit", args=[target.pk]),
        {"amount": "8亿", "reason": "《意见》出台后再次调增", "version": target.version},
        follow=True,
    )
    html = response.content.decode()
    target.refresh_from_db()
    assert target.amount == 800_000_000
    assert "《意见》出台后再次调增" in html and "3.6亿元" in html and "8.0亿元" in html
    assert target.revisions.first().changed_by == cast["office"]


def test_a_bad_amount_keeps_what_was_typed(client, cast):
    target = Target.objects.get(unit__code="ZJJ", year=2024)
    client.force_login(cast["office"])
    html = client.post(
        reverse("funding:target_edit", args=[target.pk]),
        {"amount": "八亿", "reason": "保留原因", "version": target.version},
    ).content.decode()
    assert "不是金额" in html and 'value="八亿"' in html and 'value="保留原因"' in html


def test_units_read_the_history_but_cannot_change_it(client, cast):
    target = Target.objects.get(unit__code="ZJJ", year=2024)
    client.force_login(cast["zjj"])
    assert client.get(reverse("funding:target_edit", args=[target.pk])).status_code == 200
    assert (
        client.post(
            reverse("funding:target_edit", args=[target.pk]),
            {"amount": "1", "reason": "x", "version": target.version},
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
    page.fill("#id_reason", "《意见》出台后按市委要求再次调增")
    page.click("#target-submit")
    page.wait_for_selector(".message.success")
    assert page.locator('[data-figure="target"]').inner_text() == "8.0亿元"
    assert "再次调增" in page.locator("#revisions tbody tr").first.inner_text()
    screenshot(page, "target-raised")
    page.goto(reverse("dashboard:unit", args=[target.unit_id]))
    assert page.locator('[data-figure="unit-status"]').inner_text() == "低于时间进度"
    page.goto(reverse("dashboard:cockpit"))
    assert page.locator('[data-figure="ahead"]').inner_text() == "3"
    assert page.locator('[data-figure="behind"]').inner_text() == "9"
