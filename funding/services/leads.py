"""Writes to leads (争取线索), and a lead made a project."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from org.models import Unit
from org.services import ensure_unit_access

from ..choices import LeadStatus
from ..models import (
    Lead,
    Project,
)
from .projects import create_project


@transaction.atomic
def add_lead(
    *,
    user,
    unit: Unit,
    title: str,
    noted_on: dt.date,
    source: str = "",
    aspect=None,
    estimated: int | None = None,
) -> Lead:
    ensure_unit_access(user, unit)
    lead = Lead.objects.create(
        unit=unit, title=title, noted_on=noted_on, source=source, aspect=aspect, estimated=estimated
    )
    record("funding.lead.created", lead, after=snapshot(lead), user=user)
    return lead


@transaction.atomic
def convert_lead(*, user, lead: Lead, code: str, name: str = "", **values) -> Project:
    """A lead (争取线索) becomes a reserve project of its unit; the lead keeps the link."""
    lead = Lead.objects.select_for_update().select_related("unit").get(pk=lead.pk)
    ensure_unit_access(user, lead.unit)
    if lead.status != LeadStatus.OPEN:
        raise ValidationError(
            _("This lead is no longer being followed (it is “%(status)s”).")
            % {"status": lead.get_status_display()},
            code="lead_closed",
        )
    values.setdefault("requested", lead.estimated)
    project = create_project(
        user=user, code=code, unit=lead.unit, name=(name or lead.title).strip()[:200], **values
    )
    before = snapshot(lead)
    lead.status = LeadStatus.CONVERTED
    lead.project = project
    lead.save(update_fields=["status", "project"])
    record("funding.lead.converted", lead, before=before, after=snapshot(lead), user=user)
    return project
