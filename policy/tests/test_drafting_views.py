"""Drafting pages and command: nothing is written before the office confirms; confirming
writes the items, their measures and time nodes through the audited services."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from common.permissions import Role
from org.tests.factories import PersonFactory, UnitFactory
from policy.models import Measure, Milestone, Policy, UnitAlias, WorkItem

from .factories import MeasureFactory

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).parent / "drafting_docs"


def _posted(formset, confirm) -> dict:
    """The preview's form as the browser would send it back, unchanged."""
    data = {}
    for form in [*formset.forms, formset.management_form, confirm]:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name) if form is not confirm else name] = (
                "on" if value is True else value
            )
    return data


def _preview(client, text: str):
    policy = Policy.objects.order_by("pk").first()
    response = client.post(
        reverse("policy:draft_items"), {"policy": policy.pk, "year": 2025, "text": text}
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    return policy, response.context["formset"], response.context["confirm"]


def test_reading_writes_nothing_and_confirming_writes_through_the_services(client, cast):
    client.force_login(cast["office"])
    items, events = WorkItem.objects.count(), AuditEvent.objects.count()
    text = (DOCS / "lingdao.txt").read_text(encoding="utf-8")
    policy, formset, confirm = _preview(client, text)
    assert len(formset.forms) == 8
    assert (WorkItem.objects.count(), AuditEvent.objects.count()) == (items, events)
    data = _posted(formset, confirm)
    # the 6th names an unknown leader and the 8th has no deadline: untick the 8th, fix the 6th
    data.pop("form-7-include")
    data["form-5-lead_leader"] = str(cast["leader"].leader.pk)
    data["form-0-title"] = "争取省级特色产业园区认定（改）"
    response = client.post(reverse("policy:draft_confirm"), data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["formset"]
    ]
    created = WorkItem.objects.filter(code__startswith=f"P{policy.pk}-").order_by("code")
    assert created.count() == 7
    first = created[0]
    assert first.title == "争取省级特色产业园区认定（改）"
    assert first.assignments.get(role="lead").unit.code == "GXQ"
    assert first.measure.text == "培育壮大特色产业"
    pension = created.get(title__startswith="争取社区养老服务设施")
    assert list(pension.milestones.values_list("due_on", "title")) == [
        (pension.due_on.replace(month=6, day=30), "完成申报")
    ]
    actions = set(
        AuditEvent.objects.filter(pk__gt=0).order_by("-pk")[:40].values_list("action", flat=True)
    )
    assert {
        "policy.work_item.created",
        "policy.milestone.created",
        "policy.measure.created",
        "policy.drafts.confirmed",
    } <= actions
    assert Measure.objects.filter(policy=policy, text="做好民生保障").exists()


def test_a_draft_without_its_deadline_is_not_created_and_nothing_is(client, cast):
    client.force_login(cast["office"])
    text = (DOCS / "lingdao.txt").read_text(encoding="utf-8")
    _policy, formset, confirm = _preview(client, text)
    before = (WorkItem.objects.count(), Milestone.objects.count())
    response = client.post(reverse("policy:draft_confirm"), _posted(formset, confirm))
    assert response.status_code == 400
    assert "创建此事项前请填写完成时限" in response.content.decode()
    assert (WorkItem.objects.count(), Milestone.objects.count()) == before


def test_an_unknown_co_unit_typed_by_the_office_is_an_error(client):
    UnitFactory(code="ZJJ", name="市住房和城乡建设局")
    UnitFactory(code="CZJ", name="市财政局")
    MeasureFactory()  # a policy, and an aspect for the new measures
    client.force_login(PersonFactory(role=Role.OFFICE))
    _policy, formset, confirm = _preview(
        client, "1. 开展排查。牵头单位：市住建局；完成时限：2025年6月底前"
    )
    data = _posted(formset, confirm)
    data["form-0-co_units"] = "市财政局、市气象局"
    response = client.post(reverse("policy:draft_confirm"), data)
    assert response.status_code == 400
    assert "市气象局" in response.content.decode()


def test_confirming_before_any_aspect_exists_says_so(client):
    """Found by the factories: with a policy but no aspect yet, confirming answered a bare
    403 (the form was taken for someone else's); it is the office's form, with what to do."""
    from .factories import PolicyFactory

    UnitFactory(code="ZJJ", name="市住房和城乡建设局")
    PolicyFactory()
    client.force_login(PersonFactory(role=Role.OFFICE))
    _policy, formset, confirm = _preview(
        client, "1. 开展排查。牵头单位：市住建局；完成时限：2025年6月底前"
    )
    response = client.post(reverse("policy:draft_confirm"), _posted(formset, confirm))
    assert response.status_code == 400
    assert "尚未录入任何方面" in response.content.decode()
    assert not WorkItem.objects.exists()


def test_the_office_keeps_aliases_and_the_reader_uses_them(client):
    unit = UnitFactory(code="ZJJ", name="市住房和城乡建设局")
    UnitFactory(code="CZJ", name="市财政局")
    MeasureFactory()  # a policy, and an aspect for the new measures
    client.force_login(PersonFactory(role=Role.OFFICE))
    response = client.post(reverse("policy:alias_list"), {"unit": unit.pk, "alias": "市建委"})
    assert response.status_code == 302
    assert UnitAlias.objects.filter(alias="市建委", unit=unit).exists()
    _policy, formset, _confirm = _preview(client, "1. 开展排查。（市建委牵头）2025年6月底前完成")
    assert formset.forms[0]["lead_unit"].value() == unit.pk
    response = client.post(
        reverse("policy:alias_list"), {"unit": unit.pk, "alias": "市财政局"}
    )  # the full name of another unit
    assert response.status_code == 400


def test_the_command_prints_the_json_of_design_12(demo, capsys):
    call_command("draft_items", str(DOCS / "fengong.txt"), "--year", "2025", "--format", "json")
    items = json.loads(capsys.readouterr().out)["items"]
    assert len(items) == 11
    assert items[0]["lead_unit"] == "FGW" and items[0]["due_on"] == "2025-06-30"
    assert set(items[0]) >= {
        "title",
        "measure",
        "lead_unit",
        "co_units",
        "lead_leader",
        "due_on",
        "unresolved",
    }
    assert items[9]["unresolved"] == ["市委组织部"] and items[9]["lead_unit"] is None
