"""Writes to contacts (对接) with counterpart departments."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from common.validation import require_event_date
from org.models import Leader, Unit
from org.services import ensure_unit_access

from ..choices import ContactDirection, ContactResult
from ..models import (
    Contact,
    Counterpart,
    Project,
    Receipt,
)


def _check_contact_links(unit: Unit, project, result: str, result_receipt) -> None:
    if project is not None and project.unit_id != unit.pk:
        raise ValidationError(_("The project belongs to another unit."), code="project")
    if result and result not in ContactResult.values:
        raise ValidationError(_("Unknown result."), code="result")
    if result_receipt is not None:
        if result_receipt.unit_id != unit.pk:
            raise ValidationError(_("The receipt belongs to another unit."), code="receipt")
        if project is not None and result_receipt.project_id not in (None, project.pk):
            raise ValidationError(_("The receipt was recorded on another project."), code="receipt")
    if result == ContactResult.FUNDED and result_receipt is None:
        raise ValidationError(
            _("Say which receipt the contact led to, or choose another result."), code="receipt"
        )
    if result_receipt is not None and result != ContactResult.FUNDED:
        raise ValidationError(_("A receipt is the result “led to money received”."), code="result")


@transaction.atomic
def log_contact(
    *,
    user,
    unit: Unit,
    direction: str,
    occurred_on: dt.date,
    counterpart: str,
    people: str = "",
    summary: str = "",
    leader: Leader | None = None,
    project: Project | None = None,
    result: str = "",
    result_receipt: Receipt | None = None,
    directory: Counterpart | None = None,
) -> Contact:
    """A contact of `unit` with a counterpart; `directory`: the department picked from the
    counterpart directory (its name is then the counterpart, unless one is written)."""
    ensure_unit_access(user, unit)
    counterpart = (counterpart or "").strip() or (directory.name if directory else "")
    if not counterpart:
        raise ValidationError(_("Name the counterpart department."), code="counterpart")
    require_event_date(occurred_on)
    if direction not in ContactDirection.values:
        raise ValidationError(_("Unknown contact direction."))
    _check_contact_links(unit, project, result, result_receipt)
    contact = Contact.objects.create(
        unit=unit,
        direction=direction,
        occurred_on=occurred_on,
        counterpart=counterpart,
        people=people,
        summary=summary,
        leader=leader,
        project=project,
        result=result,
        result_receipt=result_receipt,
        directory=directory,
    )
    record("funding.contact.created", contact, after=snapshot(contact), user=user)
    return contact


@transaction.atomic
def link_contact(
    *,
    user,
    contact: Contact,
    project: Project | None,
    result: str = "",
    result_receipt: Receipt | None = None,
    expected_version: int | None = None,
) -> Contact:
    """Say which project a contact was for and what it led to (an approval, a receipt)."""
    contact = Contact.objects.select_for_update().select_related("unit").get(pk=contact.pk)
    ensure_unit_access(user, contact.unit)
    check_version(contact, expected_version)
    _check_contact_links(contact.unit, project, result, result_receipt)
    before = snapshot(contact)
    contact.project = project
    contact.result = result
    contact.result_receipt = result_receipt
    if snapshot(contact) == before:
        return contact
    contact.version += 1
    contact.save()
    record("funding.contact.linked", contact, before=before, after=snapshot(contact), user=user)
    return contact
