# ruff: noqa: E501 — the policy text is pasted as one line per paragraph, as offices write it
"""Browser journey: the office pastes a policy text, corrects one draft, confirms; the items
exist with their time nodes and appear on the lead unit's workbench."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = """示范市推动城市更新高质量发展的若干措施
一、强化项目谋划储备
1. 建立城市更新项目库。全面摸排更新改造需求，2025年三季度末前完成首批项目入库。（市住建局牵头，市发展改革委、各街道办事处配合）
2. 做好对上争取衔接。主动对接省级部门，争取更多项目纳入上级投资计划。由市发展改革委牵头，市住建局、市交通运输局配合，长期坚持。
二、加大资金要素保障
3. 保障项目建设用地。2025年6月底前完成低效用地调查，年底前完成首批地块收储。（市自然资源和规划局牵头，城关镇人民政府、市气象局配合）
"""


def test_a_pasted_text_becomes_work_items_on_the_units_workbenches(demo, new_page):
    from policy.models import WorkItem

    page = new_page(viewport=(1280, 900))
    login(page, "office")
    page.goto("/policy/")
    page.click("main a:has-text('从文本起草事项')")
    settle(page)
    page.select_option("#id_policy", label="《意见》")
    page.fill("#id_year", "2025")
    page.fill("#id_text", TEXT)
    page.click("button:has-text('识别文本')")
    settle(page)
    content = page.content()
    assert "市气象局" in content  # listed as not resolved, not guessed
    screenshot(page, "drafting-preview")
    # the second draft is continuing work: the office gives it a date and a new title
    assert page.input_value("#id_form-1-due_on") == ""
    page.fill("#id_form-1-due_on", "2025-12-31")
    page.fill("#id_form-1-title", "做好对上争取衔接，争取项目纳入上级投资计划")
    assert page.input_value("#id_form-2-milestones") == "2025-06-30 完成低效用地调查"
    page.click("button:has-text('确认并创建')")
    settle(page)
    errors = page.locator(".field-error, .message.error").all_inner_texts()
    assert "已创建 3 项工作事项" in page.content(), errors
    items = WorkItem.objects.filter(
        title__in=[
            "建立城市更新项目库",
            "做好对上争取衔接，争取项目纳入上级投资计划",
            "保障项目建设用地",
        ]
    )
    assert items.count() == 3
    land = items.get(title="保障项目建设用地")
    assert list(land.milestones.values_list("title", flat=True)) == ["完成低效用地调查"]
    assert land.assignments.get(role="lead").unit.code == "ZRJ"

    unit_page = new_page(viewport=(1280, 900))
    login(unit_page, "zjj")
    unit_page.goto("/cockpit/workbench/")
    settle(unit_page)
    workbench = unit_page.content()
    assert "建立城市更新项目库" in workbench
    assert "做好对上争取衔接，争取项目纳入上级投资计划" in workbench  # ZJJ is a co-unit

    phone = new_page(viewport=(360, 780))
    login(phone, "office")
    phone.goto("/policy/drafts/")
    phone.select_option("#id_policy", label="《意见》")
    phone.fill("#id_year", "2025")
    phone.fill("#id_text", TEXT)
    phone.click("button:has-text('识别文本')")
    settle(phone)
    screenshot(phone, "drafting-preview-360")
