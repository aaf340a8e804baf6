"""Dispatch rounds (调度): the office opens, units answer once with the known figures filled
in, the office urges the late ones and compiles a briefing .docx."""

import datetime as dt
import io

import pytest
from docx import Document

from audit.models import AuditEvent
from conftest import run_jobs
from supervision.models import Dispatch, DispatchRequest
from supervision.services import open_dispatch

from .factories import funded


def open_round(client, **overrides):
    from org.models import Unit

    data = {
        "title": "测试调度",
        "meeting_on": "2024-07-20",
        "due_on": "2024-07-18",
        "as_of": "2024-06-30",
        "units": [u.pk for u in Unit.objects.filter(code__in=["ZJJ", "FGW"])],
        "questions": "下半年重点项目\n存在的困难\n",
    }
    data.update(overrides)
    return client.post("/supervision/dispatch/new/", data)


@pytest.fixture
def people(db) -> dict:
    """The policy cast around 市住房和城乡建设局 (ZJJ), and 市发展和改革委员会 (FGW)."""
    from org.tests.factories import UnitFactory
    from policy.tests.factories import unit_people

    people = unit_people(UnitFactory(code="ZJJ", name="市住房和城乡建设局"))
    return {**people, "fgw": UnitFactory(code="FGW", name="市发展和改革委员会")}


def test_the_office_opens_a_round_and_a_unit_answers_with_known_figures(client, people):
    cast = people
    funded(people["unit"], target_wan=36000, secured_wan=22000)
    client.force_login(cast["office"])
    response = open_round(client)
    assert response.status_code == 302
    dispatch = Dispatch.objects.get(title="测试调度")
    assert dispatch.questions == ["下半年重点项目", "存在的困难"]
    assert dispatch.requests.count() == 2
    request = dispatch.requests.get(unit__code="ZJJ")

    client.force_login(cast["zjj"])
    page = client.get(f"/supervision/dispatch/answer/{request.pk}/").content.decode()
    # what Luoshi knows is shown, not asked: 市住建局 36,000万 target, 22,000万 secured, 61%
    assert "3.6亿元" in page and "2.2亿元" in page and "61%" in page
    form = page.split('id="answer-form"')[1]
    assert 'name="answer_0"' in form and 'name="answer_1"' in form
    assert 'name="answer_2"' not in form and "amount" not in form  # the figures are not asked
    # an empty answer is refused with a message, nothing stored
    refused = client.post(f"/supervision/dispatch/answer/{request.pk}/", {"answer_0": "x"})
    assert refused.status_code == 400
    request.refresh_from_db()
    assert request.reported_at is None
    done = client.post(
        f"/supervision/dispatch/answer/{request.pk}/",
        {"answer_0": "老旧小区改造项目", "answer_1": "配套资金不足", "report": "", "version": 1},
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.reported_at is not None and request.reported_by == cast["zjj"]
    assert request.answers[1] == {"question": "存在的困难", "answer": "配套资金不足"}
    assert request.known["secured"] == "2.2亿元" and request.known["status"] == "超时间进度"
    assert AuditEvent.objects.filter(action="supervision.dispatch.answered").exists()
    # a correction from a page read before that answer is refused, naming the change
    stale = client.post(
        f"/supervision/dispatch/answer/{request.pk}/",
        {"answer_0": "旧页面", "answer_1": "旧页面", "report": "", "version": 1},
    )
    assert stale.status_code == 400 and "他人已修改此记录" in stale.content.decode()
    request.refresh_from_db()
    assert request.answers[0]["answer"] == "老旧小区改造项目" and request.version == 2

    # the workbench lists the round
    assert "测试调度" in client.get("/cockpit/workbench/").content.decode()


def test_a_unit_cannot_open_another_units_request(client, people):
    cast = people
    open_dispatch(
        user=cast["office"],
        title="调度",
        meeting_on=dt.date(2024, 7, 20),
        due_on=dt.date(2024, 7, 18),
        units=[people["unit"], people["fgw"]],
        questions=["存在的困难"],
    )
    other = DispatchRequest.objects.get(unit=people["fgw"])
    client.force_login(cast["zjj"])
    assert client.get(f"/supervision/dispatch/answer/{other.pk}/").status_code == 404
    assert client.post(f"/supervision/dispatch/answer/{other.pk}/", {}).status_code == 404


def test_urging_records_when_and_who_and_the_briefing_names_the_late(
    demo, client, cast, django_capture_on_commit_callbacks
):
    dispatch = Dispatch.objects.get(title="2024年7月对上争取工作调度会")
    client.force_login(cast["office"])
    response = client.post(f"/supervision/dispatch/{dispatch.pk}/urge/")
    assert response.status_code == 302
    late = dispatch.requests.filter(reported_at__isnull=True)
    assert late.count() == 3
    assert all(r.urge_count == 1 and r.urged_at is not None for r in late)
    events = AuditEvent.objects.filter(action="supervision.dispatch.urged")
    assert events.count() == 3 and {e.actor_id for e in events} == {cast["office"].pk}
    # each late unit is reminded through the reminder service (in the app, robots, mail)
    from reminders.models import Reminder

    urged = Reminder.objects.filter(
        source="dispatch", topic__startswith=f"dispatch:{dispatch.pk}:urge:"
    )
    assert set(urged.values_list("unit_id", flat=True)) == set(
        late.values_list("unit_id", flat=True)
    )
    # the opening told every unit of the round (a reminder each acknowledges)
    opened = Reminder.objects.filter(topic=f"dispatch:{dispatch.pk}:open", source="dispatch")
    assert opened.count() == dispatch.requests.count()
    # urging again counts again, and reminds again
    client.post(f"/supervision/dispatch/{dispatch.pk}/urge/")
    assert set(late.values_list("urge_count", flat=True)) == {2}
    assert urged.count() == 6

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/supervision/dispatch/{dispatch.pk}/briefing.docx")
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    run_jobs()  # the background job compiles it
    briefing = client.get(started["Location"] + "download/")
    assert briefing.status_code == 200
    assert "wordprocessingml" in briefing["Content-Type"]
    document = Document(io.BytesIO(b"".join(briefing.streaming_content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "本轮调度共6个单位，已报送3个，未报送3个" in text
    assert "国省道改造提升工程" in text  # 市交通运输局's answer
    assert "累计到位1.5亿元" in text  # its known figures, filled in
    missing = [row.cells[0].text for row in document.tables[0].rows[1:]]
    assert missing == ["市住房和城乡建设局", "市民政局", "市城市管理局"]
    assert document.tables[0].rows[1].cells[1].text == "2"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"due_on": "2024-07-25"}, "不能晚于会议日期"),
        ({"questions": "   \n  "}, ""),
        ({"units": []}, ""),
        ({"meeting_on": "2024-13-40"}, ""),
        ({"title": ""}, ""),
    ],
)
def test_a_bad_round_is_refused_with_a_message(client, people, overrides, message):
    cast = people
    client.force_login(cast["office"])
    response = open_round(client, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Dispatch.objects.filter(title="测试调度").exists()


def test_answering_a_dispatch_round_acknowledges_it(demo, client, cast):
    dispatch = Dispatch.objects.get(title="2024年7月对上争取工作调度会")
    client.force_login(cast["office"])
    page = client.get(f"/supervision/dispatch/{dispatch.pk}/")
    html = page.content.decode()
    assert 'id="reached-count"' in html
    # the demo's three answers acknowledged their units' opening reminders (ZJJ's officer
    # may have acknowledged it in the app too); the two silent units have not
    answered = {r.unit.code: r.reach for r in page.context["requests"] if r.reported_at}
    assert len(answered) == 3 and all(reach.acknowledged for reach in answered.values())
    silent = [r for r in page.context["requests"] if r.unit.code in ("MZJ", "CGJ")]
    assert silent and not any(r.reach.acknowledged for r in silent)
    assert page.context["reached"] == 1  # only ZJJ has people; the others nobody
