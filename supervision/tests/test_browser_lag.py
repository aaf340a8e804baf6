"""Browser journey: the office asks, a unit files causes and measures, its leader signs off."""

import pytest

from conftest import login, screenshot, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_files_causes_and_measures_and_its_leader_signs_off(demo, new_page):
    office = new_page()
    login(office, "office")
    office.goto("/supervision/lag/")
    assert "市城市管理局" in office.content()  # the demo's signed-off explanation
    office.fill("#id_as_of", "2024-06-30")
    office.click("text=要求报送原因分析与整改措施")
    settle(office)
    assert "个单位报送截至2024-06-30的原因分析与整改措施" in office.content()
    screenshot(office, "lag-list")

    unit = new_page()
    login(unit, "zjj")
    unit.goto("/cockpit/workbench/")
    unit.click("#lag-card a")
    settle(unit)
    assert "牵头的工作事项已逾期：GZ-08" in unit.content()
    screenshot(unit, "lag-file-form")
    unit.fill("#id_causes", "燃气管道老化更新改造项目可研批复滞后，错过上半年资金批次。")
    unit.fill("#id_measures-0-text", "完成燃气管道项目可研批复")
    unit.fill("#id_measures-0-due_on", "2024-07-31")
    unit.fill("#id_measures-1-text", "报送中央预算内投资申报材料")
    unit.click("text=报送领导审签")
    settle(unit)
    assert "请填写该措施的完成时限" in unit.content()  # the second measure has no date
    unit.fill("#id_measures-1-due_on", "2024-08-31")
    unit.click("text=报送领导审签")
    settle(unit)
    assert "已报送，等待分管领导审签" in unit.content()

    leader = new_page()
    login(leader, "leader")
    leader.goto(unit.url.replace(unit.url.split("/supervision")[0], ""))
    assert "审签意见" in leader.content()
    screenshot(leader, "lag-decision")
    leader.fill("#id_comment", "同意，按节点推进。")
    leader.click("text=审签同意")
    settle(leader)
    content = leader.content()
    assert "领导已审签" in content and "跟踪中，时限2024-07-31" in content
    screenshot(leader, "lag-signed-off")

    phone = new_page(viewport=(390, 844))
    login(phone, "leader")
    phone.goto(leader.url.replace(leader.url.split("/supervision")[0], ""))
    screenshot(phone, "lag-signed-off-390")
    phone.goto("/supervision/lag/")
    screenshot(phone, "lag-list-390")
