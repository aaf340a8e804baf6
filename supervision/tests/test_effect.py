"""催办效果: working days to the acknowledgement and to the unit's next update, by unit,
channel and escalation level — one function behind the page, the bulletin annex and
`luoshi reminder_effect`."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document

from org.period import ReportingPeriod
from policy import services as policy
from policy.tests.factories import WorkItemFactory, unit_people
from reminders import services as reminders
from reminders.models import Reminder
from supervision.bulletin import bulletin_content
from supervision.documents import render_bulletin_docx
from supervision.effect import LEVEL_UNIT, effect_for

pytestmark = pytest.mark.django_db


def effect_json(*args) -> dict:
    out = io.StringIO()
    call_command("reminder_effect", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_demo_holds_a_history_of_urgings_acknowledgements_and_answers(demo):
    result = effect_json("--year", "2024", "--as-of", "2024-09-30")
    units = {row["code"]: row for row in result["units"]}
    zjj = units["ZJJ"]
    assert set(zjj) >= {"code", "urgings", "acknowledged", "answered", "median_workdays"}
    assert zjj["urgings"] > zjj["acknowledged"] > 0
    assert 0 < zjj["answered"] <= zjj["urgings"]
    assert isinstance(zjj["median_workdays"], int | float)
    # only urgings that reached someone count: a unit nobody can reach is not listed as urged
    reached = set(
        Reminder.objects.filter(deliveries__status="sent").values_list("unit__code", flat=True)
    )
    assert set(units) <= reached


def test_it_counts_working_days_to_the_acknowledgement_and_the_next_update(db):
    cast = unit_people()
    zjj = cast["unit"]
    item = WorkItemFactory(lead_unit=zjj)
    monday = dt.date(2024, 10, 14)
    reminder = reminders.notify(
        zjj, subject="请报送进展", body="…", key="test:effect", as_of=monday
    )
    reminders.acknowledge(
        user=cast["zjj"],
        reminder=reminder,
        at=timezone.make_aware(dt.datetime(2024, 10, 15, 9)),
    )
    policy.file_progress_report(
        user=None, work_item=item, unit=zjj, reported_on=dt.date(2024, 10, 17), text="进展"
    )
    result = effect_for(2024, dt.date(2024, 10, 31))
    ((unit, stats),) = result.units
    assert unit == zjj
    assert (stats.urgings, stats.acknowledged, stats.answered) == (1, 1, 1)
    assert stats.median_ack_workdays == 1 and stats.median_workdays == 3
    assert stats.quick_share == 0
    assert result.by_level[LEVEL_UNIT].urgings == 1
    assert set(result.by_channel) == {"app"}
    # before the report, it is urged and not answered
    early = effect_for(2024, dt.date(2024, 10, 16))
    assert early.total.answered == 0 and early.total.acknowledged == 1


def test_the_page_shows_the_office_every_unit_and_a_leader_theirs(client, db):
    cast, other = unit_people(), unit_people()  # two units, each with its people and leader
    for n, unit in enumerate([cast["unit"], other["unit"]]):
        reminders.notify(
            unit, subject="请报送进展", body="…", key=f"test:{n}", as_of=dt.date(2024, 9, 2)
        )
    client.force_login(cast["office"])
    page = client.get("/supervision/effect/", {"year": "2024", "as_of": "2024-09-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-unit="{cast["unit"].code}"' in html and 'id="effect-data"' in html
    office_units = {unit.code for unit, _s in page.context["effect"].units}
    client.force_login(cast["leader"])
    page = client.get("/supervision/effect/", {"year": "2024", "as_of": "2024-09-30"})
    leader_units = {unit.code for unit, _s in page.context["effect"].units}
    overseen = set(cast["leader"].leader.oversees.values_list("code", flat=True))
    assert leader_units <= overseen and leader_units < office_units
    assert leader_units == {cast["unit"].code}
    client.force_login(cast["zjj"])
    assert client.get("/supervision/effect/").status_code == 403


def test_the_bulletin_carries_the_annex(demo):
    content = bulletin_content(ReportingPeriod(2024, dt.date(2024, 9, 30)))
    annex = content["reminder_effect"]
    assert annex["urgings"] > 0 and annex["rows"]
    document = Document(io.BytesIO(render_bulletin_docx(content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "附件：催办效果" in text
    assert f"送达催办{annex['urgings']}次" in text


def test_the_quick_share_is_exact_and_rounded_half_up_by_the_one_formatter():
    """1 of 8 urgings answered quickly is 12.5%: the pages say 13%, like every percent
    (common.percent), not Python's round-half-even of a float (12%)."""
    from fractions import Fraction

    from common.percent import rate_text
    from supervision.effect import Stats, _share

    stats = Stats(urgings=8, quick=1)
    assert stats.quick_share == Fraction(1, 8) and rate_text(stats.quick_share) == "13%"
    assert _share(stats.quick_share) == 0.125 and _share(Fraction(1, 3)) == 0.3333
    assert _share(Stats().quick_share) is None
