"""An id outside the user's scope answers 404 and leaves an audit event (issue 9 point 5):
recorded once, where every scoped lookup goes (`ScopedQuerySet.get`), not in each view."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from funding.models import Project, Receipt
from org.models import Unit


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
