"""Lag explanations: who is asked, filing, the leader's sign-off or sending back."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from org.models import Unit
from org.period import ReportingPeriod
from policy.models import Milestone, WorkItem
from policy.services import complete_work_item
from reporting.read_model import SYSTEM, figures_for
from supervision.lag import services
from supervision.models import LagExplanation

from .factories import lagging_units

AS_OF = dt.date(2024, 6, 30)
PERIOD = ReportingPeriod(2024, AS_OF)


@pytest.fixture
def lagging(db) -> dict:
    """Three units behind on 30 June, their people and leaders (factories.lagging_units)."""
    return lagging_units()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_lagging_units_follow_the_figures_and_the_work_item_states(demo):
    grounds = services.lagging_units(PERIOD)
    by_code = {Unit.objects.get(pk=pk).code: reasons for pk, reasons in grounds.items()}
    statuses = {u.code: u.status.value for u in figures_for(SYSTEM, PERIOD).units}
    lagging = {code for code, status in statuses.items() if status in ("behind", "none")}
    assert lagging == {
        code for code in by_code if code in statuses and statuses[code] != "ahead"
    } - {"FGW"}
    assert len(lagging) == 12  # 8 behind + 4 with no result: the speech's figures
    assert lagging <= set(by_code)
    assert any("低于时间进度" in r for r in by_code["WLJ"])
    assert by_code["CGJ"] == ["本年度尚无到位资金（无实绩）。"]
    # ZJJ is ahead of time progress but leads GZ-08, overdue on 30 June
    assert by_code["ZJJ"] == ["牵头的工作事项已逾期：GZ-08。"]
    complete_work_item(user=None, item=WorkItem.objects.get(code="GZ-08"), done_on=AS_OF)
    assert Unit.objects.get(code="ZJJ").pk not in services.lagging_units(PERIOD)


def test_the_office_asks_once_the_unit_files_and_its_leader_signs_off(lagging):
    cast = lagging
    services.ask_unit(user=None, unit=lagging["cgj"], as_of=AS_OF, grounds=["牵头的工作事项已逾期"])
    asked = services.request_lag_explanations(user=cast["office"], period=PERIOD)
    assert {e.unit.code for e in asked} >= {"ZJJ", "MZJ"}
    assert "CGJ" not in {e.unit.code for e in asked}  # asked for that date already
    assert services.request_lag_explanations(user=cast["office"], period=PERIOD) == []
    zjj = LagExplanation.objects.get(unit__code="ZJJ", as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        services.request_lag_explanations(user=cast["zjj"], period=PERIOD)
    with pytest.raises(ValidationError):  # a measure dated before the as-of date
        services.file_lag_explanation(
            user=cast["zjj"],
            explanation=zjj,
            causes="燃气管道项目可研批复滞后",
            measures=[("完成可研批复", dt.date(2024, 6, 1))],
        )
    with pytest.raises(ValidationError):  # no measures at all
        services.file_lag_explanation(
            user=cast["zjj"], explanation=zjj, causes="原因", measures=[("  ", None)]
        )
    services.file_lag_explanation(
        user=cast["zjj"],
        explanation=zjj,
        causes="燃气管道项目可研批复滞后",
        measures=[("完成可研批复", dt.date(2024, 7, 31)), ("报送申报材料", dt.date(2024, 8, 31))],
    )
    zjj.refresh_from_db()
    assert zjj.status == LagExplanation.Status.FILED
    with pytest.raises(PermissionDenied):  # the unit does not sign its own explanation
        services.sign_off_lag_explanation(user=cast["zjj_head"], explanation=zjj)
    with pytest.raises(PermissionDenied):  # the office does not either
        services.sign_off_lag_explanation(user=cast["office"], explanation=zjj)
    services.sign_off_lag_explanation(user=cast["leader"], explanation=zjj, comment="同意")
    zjj.refresh_from_db()
    assert zjj.status == LagExplanation.Status.SIGNED_OFF
    assert zjj.signed_off_by.name == "李华"
    nodes = Milestone.objects.filter(unit__code="ZJJ", work_item__isnull=True).order_by("due_on")
    assert [(m.title, m.due_on) for m in nodes] == [
        ("完成可研批复", dt.date(2024, 7, 31)),
        ("报送申报材料", dt.date(2024, 8, 31)),
    ]
    # the measures are followed like any node: visible to the unit and its leader, not others
    assert set(Milestone.objects.visible_to(cast["zjj"])) >= set(nodes)
    assert set(Milestone.objects.visible_to(cast["leader"])) >= set(nodes)
    actions = set(AuditEvent.objects.filter(object_id=str(zjj.pk)).values_list("action", flat=True))
    assert {
        "supervision.lag_explanation.requested",
        "supervision.lag_explanation.filed",
        "supervision.lag_explanation.signed_off",
    } <= actions


def test_a_leader_decides_only_for_the_units_they_oversee(lagging):
    cast = lagging
    wlj = services.ask_unit(user=None, unit=lagging["mzj"], as_of=AS_OF, grounds=["逾期"])
    services.file_lag_explanation(  # 杨帆's unit, filed and sent back by 杨帆
        user=None, explanation=wlj, causes="原因", measures=[("措施", dt.date(2024, 7, 31))]
    )
    services.send_back_lag_explanation(
        user=lagging["other_leader"].user, explanation=wlj, comment="原因不具体"
    )
    wlj.refresh_from_db()
    assert wlj.status == LagExplanation.Status.SENT_BACK and wlj.leader_comment
    services.file_lag_explanation(
        user=None,
        explanation=wlj,
        causes="具体原因",
        measures=[("对接省文旅厅下半年批次", dt.date(2024, 9, 30))],
    )
    with pytest.raises(PermissionDenied):
        services.sign_off_lag_explanation(user=cast["leader"], explanation=wlj)
    assert (
        client_for(cast["leader"]).get(reverse("supervision:lag_detail", args=[wlj.pk])).status_code
        == 404
    )


def test_sending_back_needs_a_comment_and_the_unit_files_again(lagging):
    cast = lagging
    [zjj] = [
        e
        for e in services.request_lag_explanations(user=cast["office"], period=PERIOD)
        if e.unit.code == "ZJJ"
    ]
    services.file_lag_explanation(
        user=cast["zjj"],
        explanation=zjj,
        causes="原因",
        measures=[("措施", dt.date(2024, 7, 31))],
    )
    leader = client_for(cast["leader"])
    url = reverse("supervision:lag_send_back", args=[zjj.pk])
    refused = leader.post(url, {"comment": " ", "version": zjj.version + 1})
    assert refused.status_code == 400 and "退回时请说明欠缺什么" in refused.content.decode()
    zjj.refresh_from_db()
    assert leader.post(url, {"comment": "措施太笼统", "version": zjj.version}).status_code == 302
    zjj.refresh_from_db()
    assert zjj.status == LagExplanation.Status.SENT_BACK
    page = client_for(cast["zjj"]).get(reverse("supervision:lag_detail", args=[zjj.pk]))
    assert "措施太笼统" in page.content.decode() and "重新报送" in page.content.decode()


def test_the_unit_files_through_its_page(lagging):
    cast = lagging
    services.request_lag_explanations(user=cast["office"], period=PERIOD)
    zjj = LagExplanation.objects.get(unit__code="ZJJ", as_of=AS_OF)
    officer = client_for(cast["zjj"])
    url = reverse("supervision:lag_file", args=[zjj.pk])
    form = {
        "causes": "燃气管道项目可研批复滞后",
        "version": zjj.version,
        "measures-TOTAL_FORMS": "3",
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": "10",
        "measures-0-text": "完成可研批复",
        "measures-0-due_on": "2024-07-31",
        "measures-1-text": "报送申报材料",
        "measures-1-due_on": "",
    }
    refused = officer.post(url, form)
    assert refused.status_code == 400 and "请填写该措施的完成时限" in refused.content.decode()
    form["measures-1-due_on"] = "2024-08-31"
    assert officer.post(url, form).status_code == 302
    zjj.refresh_from_db()
    assert zjj.status == LagExplanation.Status.FILED
    assert list(zjj.measure_rows.values_list("text", flat=True)) == ["完成可研批复", "报送申报材料"]
    # the leader signs off through the page
    leader = client_for(cast["leader"])
    detail = leader.get(reverse("supervision:lag_detail", args=[zjj.pk])).content.decode()
    assert "审签同意" in detail
    assert (
        leader.post(
            reverse("supervision:lag_sign_off", args=[zjj.pk]),
            {"comment": "同意", "version": zjj.version},
        ).status_code
        == 302
    )
    zjj.refresh_from_db()
    assert zjj.status == LagExplanation.Status.SIGNED_OFF


def test_the_list_is_scoped_and_bounded(lagging, django_assert_max_num_queries):
    cast = lagging
    services.request_lag_explanations(user=cast["office"], period=PERIOD)
    url = reverse("supervision:lag_list")
    with django_assert_max_num_queries(30):  # a constant: no query per row
        office_page = client_for(cast["office"]).get(url).content.decode()
    assert "市民政局" in office_page and "市城市管理局" in office_page
    leader_page = client_for(cast["leader"]).get(url).content.decode()
    assert "市城市管理局" in leader_page and "市民政局" not in leader_page
    unit_page = client_for(cast["zjj"]).get(url).content.decode()
    assert "市住房和城乡建设局" in unit_page and "市城市管理局" not in unit_page
    bad = client_for(cast["office"]).post(
        reverse("supervision:lag_request"), {"as_of": "2024-13-45"}
    )
    assert bad.status_code == 302


def test_the_workbench_asks_and_then_follows_the_measures(lagging):
    cast = lagging
    services.request_lag_explanations(user=cast["office"], period=PERIOD)
    zjj = LagExplanation.objects.get(unit__code="ZJJ", as_of=AS_OF)
    officer = client_for(cast["zjj"])
    workbench = officer.get(reverse("dashboard:workbench")).content.decode()
    assert reverse("supervision:lag_detail", args=[zjj.pk]) in workbench
    services.file_lag_explanation(
        user=cast["zjj"],
        explanation=zjj,
        causes="原因",
        measures=[("召开专题推进会", dt.date(2024, 7, 5))],
    )
    services.sign_off_lag_explanation(user=cast["leader"], explanation=zjj)
    node = Milestone.objects.get(unit__code="ZJJ", title="召开专题推进会")
    workbench = officer.get(reverse("dashboard:workbench")).content.decode()
    assert reverse("supervision:lag_detail", args=[zjj.pk]) not in workbench  # nothing owed
    assert reverse("policy:milestone_detail", args=[node.pk]) in workbench  # due soon
    unit_page = (
        client_for(cast["leader"])
        .get(reverse("dashboard:unit", args=[zjj.unit_id]))
        .content.decode()
    )
    assert reverse("supervision:lag_detail", args=[zjj.pk]) in unit_page


def test_hostile_lag_posts_get_a_clear_answer(lagging):
    cast = lagging
    services.request_lag_explanations(user=cast["office"], period=PERIOD)
    zjj = LagExplanation.objects.get(unit__code="ZJJ", as_of=AS_OF)
    officer = client_for(cast["zjj"])
    url = reverse("supervision:lag_file", args=[zjj.pk])
    for data in [
        {"causes": "x", "measures-TOTAL_FORMS": "zz"},
        {"causes": "x", "measures-TOTAL_FORMS": "9999", "measures-INITIAL_FORMS": "0"},
        {
            "causes": "x",
            "version": "1",
            "measures-TOTAL_FORMS": "1",
            "measures-INITIAL_FORMS": "0",
            "measures-0-text": "y" * 500,
            "measures-0-due_on": "2024-07-31",
        },
    ]:
        assert officer.post(url, data).status_code == 400, data
    assert (
        client_for(cast["office"])
        .post(reverse("supervision:lag_request"), {"as_of": "99999-01-01"})
        .status_code
        == 302
    )


def test_the_demo_has_two_explanations_and_two_plans_and_the_speech_figures(demo):
    from funding.rules import bulletin_sentence
    from policy.models import WorkPlan

    statuses = dict(LagExplanation.objects.filter(as_of=AS_OF).values_list("unit__code", "status"))
    assert statuses == {"CGJ": "signed_off", "WLJ": "sent_back"}
    cgj = LagExplanation.objects.get(unit__code="CGJ")
    assert cgj.signed_off_by.name == "李华"
    assert Milestone.objects.filter(unit__code="CGJ", lag_measure__explanation=cgj).count() == 3
    assert "重新报送" in LagExplanation.objects.get(unit__code="WLJ").leader_comment
    assert sorted(WorkPlan.objects.values_list("work_item__code", flat=True)) == ["GZ-06", "GZ-14"]
    sentence = bulletin_sentence(figures_for(SYSTEM, PERIOD).summary)
    assert sentence == (
        "截至2024年6月30日，全市累计完成对上争取资金10.7亿元，占全年计划的51%。17个任务部门中，"
        "完成全年任务的1家，超时间进度的4家，低于时间进度的8家，无实绩的4家。"
    )


def test_signed_off_measures_are_urged_like_any_time_node(demo):
    """`luoshi remind` urges the unit about its corrective measures (no work item)."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("remind", "--as-of", "2024-07-25", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "市城市管理局" in text and "整改措施即将到期：完成城区排水防涝项目可研批复" in text
    assert "出错" not in text
