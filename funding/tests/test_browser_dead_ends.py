"""The pages added for issue 20 point 5 in Chromium, on a desktop and a phone: a unit notes a
lead from the leads page, the office sets next year's target from the targets page; and the
bulletin preview, whose lag section now holds only signed-off measures (point 6)."""

import pytest

from conftest import login, screenshot, settle
from funding.models import Lead, Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("width", [1366, 360])
def test_a_lead_and_a_new_years_target_are_added_on_pages(demo, new_page, width):
    unit = new_page(viewport=(width, 900))
    login(unit, "zjj")
    unit.goto("/funding/leads/")
    unit.click("text=登记争取线索")
    settle(unit)
    unit.fill("#id_title", "省住建厅拟设城市体检专项资金")
    unit.fill("#id_source", "省厅座谈会")
    unit.fill("#id_estimated", "800")
    screenshot(unit, f"funding-lead-form-{width}")
    assert no_overflow(unit) <= 1
    unit.click("#lead-save")
    settle(unit)
    assert "已为市住房和城乡建设局登记争取线索" in unit.content()
    assert Lead.objects.get(title="省住建厅拟设城市体检专项资金").unit.code == "ZJJ"
    screenshot(unit, f"funding-lead-list-{width}")

    office = new_page(viewport=(width, 900))
    login(office, "office")
    office.goto("/funding/targets/")
    office.click("text=下达争取任务")
    settle(office)
    office.select_option("#id_unit", label="市住房和城乡建设局")
    office.fill("#id_year", "2025")
    office.fill("#id_amount", "4.2亿")
    screenshot(office, f"funding-target-create-{width}")
    assert no_overflow(office) <= 1
    office.click("#target-create-submit")
    settle(office)
    assert "市住房和城乡建设局2025年度争取任务为42,000万元" in office.content()
    assert Target.objects.get(unit__code="ZJJ", year=2025).amount == 420_000_000
    # the same year again is sent to the target's own page
    office.goto("/funding/targets/new/")
    office.select_option("#id_unit", label="市住房和城乡建设局")
    office.fill("#id_year", "2025")
    office.fill("#id_amount", "5亿")
    office.click("#target-create-submit")
    settle(office)
    screenshot(office, f"funding-target-create-existing-{width}")
    office.click("#existing-target")
    settle(office)
    assert "/funding/targets/" in office.url and "2025" in office.locator("h1").inner_text()

    office.goto("/supervision/bulletins/preview/?year=2024&as_of=2024-06-30")
    settle(office)
    text = office.locator("main").inner_text()
    assert "市城市管理局（领导已审签）" in text and "已退回单位" not in text
    screenshot(office, f"supervision-bulletin-preview-{width}")


@pytest.mark.parametrize("width", [1366, 360])
def test_a_guide_of_unknown_publication_date_reads_and_edits(demo, new_page, width):
    from funding.models import Guide

    guide = Guide.objects.get(code="ZN2024-004")  # closed on 2024-07-05, as a ledger brings it
    Guide.objects.filter(pk=guide.pk).update(published_on=None)
    page = new_page(viewport=(width, 900))
    login(page, "office")
    page.goto(f"/funding/guides/{guide.pk}/")
    settle(page)
    facts = page.locator("main").inner_text()
    assert "发布日期\n—" in facts or "发布日期\t—" in facts
    screenshot(page, f"funding-guide-unknown-published-{width}")
    page.goto(f"/funding/guides/{guide.pk}/edit/")
    assert "发布日期不详时可留空" in page.locator("main").inner_text()
    page.fill("#id_scope", "支持中小河流治理和山洪灾害防治")
    screenshot(page, f"funding-guide-edit-unknown-published-{width}")
    page.click("button[type=submit].primary")
    settle(page)
    guide.refresh_from_db()
    assert guide.published_on is None and guide.scope.startswith("支持中小河流治理")
