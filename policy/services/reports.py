"""Writes to progress reports: a unit files one, its head approves or sends it back."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from common.permissions import Role, role_of
from common.services import require
from common.validation import require_event_date
from org.models import Unit
from org.services import ensure_unit_access

from ..models import (
    ProgressReport,
    WorkItem,
)


@transaction.atomic
def file_progress_report(
    *,
    user,
    work_item: WorkItem,
    unit: Unit,
    reported_on: dt.date,
    text: str,
    percent: int = 0,
    problems: str = "",
) -> ProgressReport:
    """A unit reports progress on an item it is assigned to."""
    ensure_unit_access(user, unit)
    require_event_date(reported_on)  # a report dated 9999-12-31 would stay "the latest"
    if not work_item.assignments.filter(unit=unit).exists():
        raise ValidationError(_("This unit is not responsible for the work item."))
    if not 0 <= percent <= 100:
        raise ValidationError(_("Percent done must be between 0 and 100."))
    report = ProgressReport.objects.create(
        work_item=work_item,
        unit=unit,
        reported_on=reported_on,
        text=text,
        percent=percent,
        problems=problems,
        reporter=user,
    )
    if user is None or role_of(user) != Role.UNIT_OFFICER:
        # heads, the office and the system sign their own reports; officers wait for the head
        report.approved_by, report.approved_at = user, timezone.now()
        report.save(update_fields=["approved_by", "approved_at"])
    record("policy.progress_report.created", report, after=snapshot(report), user=user)
    return report


def _decidable_report(user, report: ProgressReport, expected_version) -> ProgressReport:
    """The report locked for its head's decision: only the unit head decides, only a report
    still awaiting the head."""
    require(role_of(user) == Role.UNIT_HEAD)
    ensure_unit_access(user, report.unit)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    check_version(report, expected_version)
    if report.approved_at is not None:
        raise ValidationError(_("This report is already approved."))
    if report.returned_at is not None:
        raise ValidationError(_("This report was sent back; the officer files a new one."))
    return report


@transaction.atomic
def approve_progress_report(
    *, user, report: ProgressReport, expected_version: int | None = None
) -> ProgressReport:
    """The unit head approves a report the unit's officer submitted: from now on it is the
    item's progress (if it is the latest approved)."""
    report = _decidable_report(user, report, expected_version)
    before = snapshot(report)
    report.approved_by, report.approved_at = user, timezone.now()
    report.version += 1
    report.save(update_fields=["approved_by", "approved_at", "version"])
    record(
        "policy.progress_report.approved", report, before=before, after=snapshot(report), user=user
    )
    return report


@transaction.atomic
def send_back_progress_report(
    *, user, report: ProgressReport, comment: str, expected_version: int | None = None
) -> ProgressReport:
    """The unit head sends a submitted report back with a comment: it is never the item's
    progress; the officer reads the comment and files a new report."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say why the report is sent back."))
    report = _decidable_report(user, report, expected_version)
    before = snapshot(report)
    report.returned_by, report.returned_at = user, timezone.now()
    report.return_comment = comment
    report.version += 1
    report.save(update_fields=["returned_by", "returned_at", "return_comment", "version"])
    record(
        "policy.progress_report.returned", report, before=before, after=snapshot(report), user=user
    )
    return report
