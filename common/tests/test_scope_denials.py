"""An id outside the user's scope answers 404 and leaves an audit event (issue 9 point 5):
recorded once, where every scoped lookup goes (`ScopedQuerySet.get`), not in each view."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from funding.models import Project, Receipt
from funding.tests.factories import ProjectFactory
from ledger.tests.factories import receipt
from org.models import Unit
from org.tests.factories import LeaderFactory, PersonFactory, UnitFactory, cast_of
from policy.services import save_policy, save_work_item


@pytest.fixture
def cast(db):
    """ZJJ's people, their leader and the audit administrator, by their demo usernames, and
    FGW (overseen by another leader) with a person, a project, a receipt and a work item of
    its own beside ZJJ's (not the whole demo)."""
    zjj, fgw = UnitFactory(code="ZJJ"), UnitFactory(code="FGW")
    PersonFactory(role="unit_officer", unit=fgw)
    policy = save_policy(user=None, title="测试政策")
    for n, unit in enumerate((zjj, fgw), start=1):
        ProjectFactory(unit=unit)
        receipt(unit, 1_000_000, dt.date(2024, 6, 1))
        save_work_item(
            user=None,
            policy=policy,
            code=f"GZ-0{n}",
            title=f"{unit.name}的工作事项",
            lead_leader=LeaderFactory(oversees=[unit]),
            lead_unit=unit,
            due_on=dt.date(2024, 9, 30),
        )
    return cast_of("zjj", "zjj_head", "leader", "auditor", unit=zjj)


def denials():
    return AuditEvent.objects.filter(action="security.scope_denied")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "who, url_name, model",
    [
        ("zjj", "funding:project_detail", Project),
        ("zjj", "funding:receipt_detail", Receipt),
        ("leader", "funding:receipt_detail", Receipt),
        ("zjj_head", "org:unit_detail", Unit),
    ],
)
def test_an_out_of_scope_id_answers_404_and_is_audited(cast, who, url_name, model):
    other = Unit.objects.get(code="FGW")  # not ZJJ's, not overseen by the leader
    record = other if model is Unit else model.objects.filter(unit=other).first()
    before = denials().count()
    response = client_for(cast[who]).get(reverse(url_name, args=[record.pk]))
    assert response.status_code == 404
    event = denials().order_by("-id").first()
    assert denials().count() == before + 1
    assert event.actor_id == cast[who].pk and not event.success
    assert event.object_type == model._meta.label_lower and event.object_id == str(record.pk)


def test_a_change_outside_the_scope_is_audited_as_a_change(cast):
    """A unit officer posting to advance another unit's project."""
    client = client_for(cast["zjj"])
    other = Project.objects.filter(unit__code="FGW").exclude(stage="funded").first()
    stage = other.stage
    response = client.post(
        reverse("dashboard:project_advance", args=[other.pk]),
        {"to_stage": "applied", "on": "2024-06-01", "version": other.version},
    )
    assert response.status_code == 404
    event = denials().order_by("-id").first()
    assert event.after["action"] == "change" and event.object_id == str(other.pk)
    other.refresh_from_db()
    assert other.stage == stage


def test_a_missing_id_or_a_record_in_scope_is_no_denial(cast):
    client = client_for(cast["zjj"])
    before = denials().count()
    assert client.get(reverse("funding:project_detail", args=[99_999_999])).status_code == 404
    own = Project.objects.filter(unit__code="ZJJ").first()
    assert client.get(reverse("funding:project_detail", args=[own.pk])).status_code == 200
    # in scope, but the query asks for another stage: not found, yet no scope denial
    scoped = Project.objects.visible_to(cast["zjj"]).exclude(stage=own.stage)
    with pytest.raises(Project.DoesNotExist):
        scoped.get(pk=own.pk)
    assert denials().count() == before


def test_families_with_their_own_visible_to_are_covered(cast):
    """A queryset family that writes its own `visible_to` still reports denials."""
    from org.models import Leader

    leader = Leader.objects.first()
    before = denials().count()
    with pytest.raises(Leader.DoesNotExist):
        Leader.objects.visible_to(cast["auditor"]).get(pk=leader.pk)
    assert denials().count() == before + 1


# --- A forged id in a form's choice field (issue 25 point 3) ---------------------------------


def _other_units(model, **filters):
    return model.objects.exclude(unit__code="ZJJ").filter(**filters).order_by("pk").first()


def _choice_cases():
    from django.contrib.auth import get_user_model

    from policy.models import WorkItem

    item = WorkItem.objects.exclude(assignments__unit__code="ZJJ").order_by("pk").first()
    person = get_user_model().objects.exclude(membership__unit__code="ZJJ").order_by("pk").first()
    project = _other_units(Project)
    return [
        (
            "dashboard:receipt_create",
            {"amount": "100", "received_on": "2024-06-20", "project": project.pk},
            project,
        ),
        (
            "dashboard:report_create",
            {"work_item": item.pk, "reported_on": "2024-06-20", "percent": "50", "text": "x"},
            item,
        ),
        (
            "dashboard:contact_create",
            {
                "direction": "visit",
                "occurred_on": "2024-06-20",
                "counterpart": "省发改委",
                "project": project.pk,
            },
            project,
        ),
        (
            "funding:project_create",
            {"code": "XM-SCOPE-1", "name": "越权测试", "follow_up": person.pk},
            person,
        ),
    ]


def test_a_choice_of_another_units_record_is_refused_and_audited(cast):
    """As zjj, a form naming another unit's project, work item or person: 400 with the
    field's plain message, nothing saved, and one `security.scope_denied` event naming the
    record (the scoped choice field reports it, for every form that uses one)."""
    client = client_for(cast["zjj"])
    for url_name, data, record in _choice_cases():
        before = denials().count()
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        response = client.post(reverse(url_name), data)
        # the workbench's quick forms answer 400, the project page shows its form again
        assert response.status_code in (200, 400), url_name
        assert "选择一个有效的选项" in response.content.decode(), url_name  # Django's own words
        assert denials().count() == before + 1, url_name
        event = denials().order_by("-id").first()
        assert event.actor_id == cast["zjj"].pk and not event.success
        assert event.object_type == record._meta.label_lower, url_name
        assert event.object_id == str(record.pk) and event.after["action"] == "change"
        written = AuditEvent.objects.filter(id__gt=last).exclude(action="security.scope_denied")
        assert not written.exists(), url_name


def test_a_choice_that_names_no_record_is_no_denial(cast):
    client = client_for(cast["zjj"])
    before = denials().count()
    for value in ("99999999", "9" * 4301, "x"):
        response = client.post(
            reverse("dashboard:receipt_create"),
            {"amount": "100", "received_on": "2024-06-20", "project": value},
        )
        assert response.status_code == 400
    assert denials().count() == before
