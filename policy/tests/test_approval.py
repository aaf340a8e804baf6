import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from policy.services import approve_progress_report, file_progress_report

from .factories import WorkItemFactory


def file_as(user):
    item = WorkItemFactory(lead_unit=user.membership.unit)
    return file_progress_report(
        user=user,
        work_item=item,
        unit=user.membership.unit,
        reported_on=dt.date(2024, 6, 28),
        text="完成申报材料",
        percent=60,
    )


def test_the_head_approves_what_the_officer_submits(people):
    cast = people
    report = file_as(cast["zjj"])
    assert report.approved_at is None
    head = Client()
    head.force_login(cast["zjj_head"])
    assert "完成申报材料" in head.get(reverse("dashboard:workbench")).content.decode()
    head.post(reverse("dashboard:report_approve", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert report.approved_by == cast["zjj_head"] and report.approved_at is not None
    assert AuditEvent.objects.filter(action="policy.progress_report.approved").exists()
    with pytest.raises(ValidationError):
        approve_progress_report(user=cast["zjj_head"], report=report, expected_version=2)


def test_the_officer_cannot_approve_and_the_heads_own_reports_need_no_approval(people):
    cast = people
    report = file_as(cast["zjj"])
    with pytest.raises(PermissionDenied):
        approve_progress_report(user=cast["zjj"], report=report)
    own = file_as(cast["zjj_head"])
    assert own.approved_by == cast["zjj_head"]
