"""The cockpit's league table at scale: grouped, best and last, searched, paged, exported."""

import io

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from conftest import login, screenshot, settle
from dashboard.league import PAGE_SIZE, SMALL, TOP
from demo.scale import multiply_demo
from funding.models import Target
from org.models import Unit
from org.services import save_unit

URL = "/cockpit/?year=2024&as_of=2024-06-30&mode=day"


def _counties():
    """Give the copies of a ×4 demo a county each (县/区) and return them."""
    counties = {}
    for copy in range(1, 4):
        county, _ = save_unit(user=None, code=f"XQ{copy}", name=f"测试{copy}县", kind="other")
        counties[copy] = county
    for copy, county in counties.items():
        Unit.objects.filter(code__endswith=f"-X{copy}").update(parent=county)  # test set-up
    return counties


@pytest.fixture
def province(demo):
    multiply_demo(4)
    counties = _counties()
    assert Target.objects.filter(year=2024).count() > SMALL
    return counties


def test_the_demo_league_is_shown_whole(client, cast):
    client.force_login(cast["office"])
    response = client.get(URL)
    league = response.context["league"]
    assert not league.big and len(league.rows) == 17
    html = response.content.decode()
    assert 'id="league-groups"' not in html and "league-search" not in html
    assert html.count('<tr data-unit="') == 17


def test_a_big_league_is_grouped_ranked_searched_and_paged(client, cast, province):
    client.force_login(cast["office"])
    response = client.get(URL)
    league = response.context["league"]
    total = Target.objects.filter(year=2024).count()
    assert league.big and league.total == total
    assert len(league.rows) == min(PAGE_SIZE, total)
    # groups: the three counties and the city's own departments, adding up to the league
    assert {g.name for g in league.groups} >= {"测试1县", "测试2县", "测试3县"}
    assert sum(g.units for g in league.groups) == total
    assert sum(g.secured for g in league.groups) == response.context["summary"].secured
    # the best and the last ten
    assert len(league.top) == TOP and len(league.bottom) == TOP
    assert league.top[0]["u"].rate >= league.top[-1]["u"].rate
    assert league.bottom[0]["u"].rate <= league.bottom[-1]["u"].rate
    html = response.content.decode()
    assert 'id="league-groups"' in html and "前 10 名" in html and "后 10 名" in html
    assert html.count('<tr data-unit="') == len(league.rows)
    # search by name, filter by county and status, page 2
    found = client.get(URL + "&q=住房").context["league"]
    assert found.matching == 4 and all("住房" in row["u"].name for row in found.rows)
    county = province[2]
    in_county = client.get(URL + f"&parent={county.pk}").context["league"]
    assert in_county.matching == Target.objects.filter(unit__parent=county).count() == 33
    assert {row["parent_name"] for row in in_county.rows} == {"测试2县"}
    none = client.get(URL + "&status=none").context["league"]
    assert none.matching == sum(g.counts["none"] for g in league.groups) > 4
    assert {row["u"].status.value for row in none.rows} == {"none"}
    second = client.get(URL + "&page=2").context["league"]
    assert second.page.number == 2 and second.rows[0] != league.rows[0]
    # hostile parameters are ignored, never a 500
    assert client.get(URL + "&parent=x&status=zz&page=-3&q=" + "长" * 500).status_code == 200


def test_the_league_export_holds_what_the_page_shows(client, cast, province):
    client.force_login(cast["leader"])
    county = province[1]
    response = client.get(
        reverse("dashboard:cockpit_export") + f"?year=2024&as_of=2024-06-30&parent={county.pk}"
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "时间进度49.7%" in sheet.cell(1, 1).value
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["名次", "单位编码", "单位", "所属县（区）"]
    assert "完成率" in header and "状态" in header and "修改" not in header
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 33 and {r[3] for r in rows} == {"测试1县"}
    event = AuditEvent.objects.filter(action="list.exported").latest("id")
    assert event.after["rows"] == 33 and event.after["list"] == "league"


def test_the_demo_league_export_is_the_bulletin_table(client, cast):
    client.force_login(cast["office"])
    response = client.get(reverse("dashboard:cockpit_export") + "?year=2024&as_of=2024-06-30")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 17
    assert rows[0][2] == "市发展和改革委员会" and rows[0][7] == "完成全年任务"
    assert rows[0][6] == pytest.approx(31500 / 30000)
    assert [r[7] for r in rows].count("无实绩") == 4


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_finds_a_unit_in_a_big_league(demo, new_page):
    multiply_demo(4)
    _counties()
    page = new_page()
    login(page, "office")
    page.goto(URL)
    assert page.locator("#league-groups tbody tr").count() >= 3
    page.get_by_label("查找单位").fill("住房")
    page.locator("form.league-search button").click()
    settle(page)
    assert page.locator("table.units-table tbody tr[data-unit]").count() == 4
    screenshot(page, "cockpit-league-search")
    page.get_by_role("link", name="测试2县").click()
    settle(page)
    assert page.locator("table.units-table tbody tr[data-unit]").count() == 33
