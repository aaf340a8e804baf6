"""Corrections (更正) of receipts, design §10: every write, each audited in its transaction.

A receipt is never edited in place nor deleted. A unit (for its own receipts) or the office
asks for a correction — void it, or amend its amount, date, 文号, channel or project — with a
reason; the office approves or refuses with a comment. An approved void marks the receipt
voided; an approved amendment marks it superseded and records the corrected receipt through
the receipt rule (`funding.receipt_rule`), linked to it. Either way the receipt keeps its row
and leaves every figure (`Receipt.objects` holds the receipts in effect only; the rollup
triggers count those only). The office's rejection of a double claim marks the receipt
rejected the same way, and the office may reinstate it with a reason.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audit.services import record, snapshot
from audit.versions import check_version
from common.permissions import CHANGE, Role, role_of
from common.services import require

from ..choices import CorrectionKind, CorrectionState, ReceiptState
from ..models import Channel, Project, Receipt, ReceiptCorrection
from ..services import checked_receipt, lock_unit_receipts, store_receipt

#: what an amendment may change, in the order the pages list them
AMENDABLE = ("amount", "received_on", "doc_no", "channel", "project")
REASON_MAX = 300


def _require_office(user) -> None:
    require(role_of(user) == Role.OFFICE)


def _reason(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message, code="reason")
    if len(text) > REASON_MAX:
        raise ValidationError(
            _("At most %(count)s characters.") % {"count": REASON_MAX}, code="reason"
        )
    return text


def _locked(receipt: Receipt) -> Receipt:
    return Receipt.every.select_for_update().select_related("unit").get(pk=receipt.pk)


def _in_effect(receipt: Receipt) -> None:
    if receipt.state != ReceiptState.ACTIVE:
        raise ValidationError(
            _("This receipt is no longer in effect (%(state)s); it cannot be corrected.")
            % {"state": receipt.get_state_display()},
            code="not_in_effect",
        )


def _changes(receipt: Receipt, wanted: dict) -> dict:
    """The amendment's changes as stored (JSON): only what differs from the receipt."""
    changes: dict = {}
    if "amount" in wanted and wanted["amount"] != receipt.amount:
        changes["amount"] = int(wanted["amount"])
    if "received_on" in wanted and wanted["received_on"] != receipt.received_on:
        changes["received_on"] = wanted["received_on"].isoformat()
    if "doc_no" in wanted and (wanted["doc_no"] or "").strip() != receipt.doc_no:
        changes["doc_no"] = (wanted["doc_no"] or "").strip()
    if "channel" in wanted:
        channel = wanted["channel"]
        if (channel.pk if channel else None) != receipt.channel_id:
            changes["channel"] = channel.pk if channel else None
    if "project" in wanted:
        project = wanted["project"]
        if (project.pk if project else None) != receipt.project_id:
            changes["project"] = project.pk if project else None
    return changes


def amended_values(receipt: Receipt, changes: dict) -> dict:
    """The corrected receipt's fields: the receipt's, with the changes applied."""
    values = {
        "amount": receipt.amount,
        "received_on": receipt.received_on,
        "doc_no": receipt.doc_no,
        "channel": receipt.channel,
        "project": receipt.project,
        "note": receipt.note,
    }
    if "amount" in changes:
        values["amount"] = changes["amount"]
    if "received_on" in changes:
        values["received_on"] = dt.date.fromisoformat(changes["received_on"])
    if "doc_no" in changes:
        values["doc_no"] = changes["doc_no"]
    if "channel" in changes:
        values["channel"] = Channel.objects.filter(pk=changes["channel"]).first()
    if "project" in changes:
        values["project"] = Project.objects.filter(pk=changes["project"]).first()
    # the project gives channel and level unless the amendment names the channel itself
    if "project" in changes and "channel" not in changes:
        values["channel"] = None
    return values


def _check_amendment(user, receipt: Receipt, changes: dict):
    """The receipt rule on the corrected receipt, the original left out of the checks."""
    values = amended_values(receipt, changes)
    keeps_links = "project" not in changes and "channel" not in changes
    return checked_receipt(
        user=user,
        unit=receipt.unit,
        amount=values["amount"],
        received_on=values["received_on"],
        doc_no=values["doc_no"],
        project=values["project"],
        channel=values["channel"],
        # a receipt whose project and channel stay keeps its level too
        level=receipt.level if keeps_links else "",
        note=values["note"],
        exclude=receipt.pk,
    )


@transaction.atomic
def request_correction(
    *,
    user,
    receipt: Receipt,
    kind: str,
    reason: str,
    changes: dict | None = None,
    expected_version: int | None = None,
) -> ReceiptCorrection:
    """A unit (its officer or head, for its own receipts) or the office asks to void or amend
    a receipt in effect, saying why. `changes` of an amendment: some of `AMENDABLE` (amount in
    元, received_on a date, doc_no, channel and project records or None); only what differs
    counts, and the corrected receipt must pass the receipt rule now already. One request at
    a time per receipt."""
    receipt = _locked(receipt)
    require(Receipt.every.visible_to(user, CHANGE).filter(pk=receipt.pk).exists())
    check_version(receipt, expected_version)
    _in_effect(receipt)
    if kind not in (CorrectionKind.VOID, CorrectionKind.AMEND):
        raise ValidationError(_("Choose void or amend."), code="kind")
    reason = _reason(reason, _("Say why the receipt is to be corrected."))
    if ReceiptCorrection.objects.filter(receipt=receipt, state=CorrectionState.PENDING).exists():
        raise ValidationError(
            _("A correction of this receipt is already waiting for the office's decision."),
            code="pending",
        )
    stored: dict = {}
    if kind == CorrectionKind.AMEND:
        stored = _changes(receipt, changes or {})
        if not stored:
            raise ValidationError(
                _("Nothing would change: give the corrected value of at least one field."),
                code="no_change",
            )
        if "project" in stored and stored["project"] is not None:
            # a unit names projects it sees (its own); the rule checks the unit again
            require(Project.objects.visible_to(user).filter(pk=stored["project"]).exists())
        _check_amendment(user, receipt, stored)
    now = timezone.now()
    correction = ReceiptCorrection.objects.create(
        receipt=receipt,
        kind=kind,
        changes=stored,
        reason=reason,
        requested_at=now,
        requested_by=user,
    )
    record(
        "funding.receipt_correction.requested",
        correction,
        after=snapshot(correction),
        user=user,
    )
    return correction


def _decide(correction: ReceiptCorrection, *, user, state: str, comment: str) -> dict:
    before = snapshot(correction)
    correction.decide(user=user, state=state, comment=comment)
    return before


def _pending(correction: ReceiptCorrection, expected_version: int | None) -> ReceiptCorrection:
    correction = ReceiptCorrection.objects.select_for_update().get(pk=correction.pk)
    check_version(correction, expected_version)
    if correction.state != CorrectionState.PENDING:
        raise ValidationError(
            _("This request has already been decided (%(state)s).")
            % {"state": correction.get_state_display()},
            code="decided",
        )
    return correction


def _set_state(receipt: Receipt, state: str, *, user, action: str, after: dict) -> None:
    before = snapshot(receipt)
    receipt.state = state
    receipt.version += 1
    receipt.save(update_fields=["state", "version"])
    record(action, receipt, before=before, after={**snapshot(receipt), **after}, user=user)


@transaction.atomic
def approve_correction(
    *,
    user,
    correction: ReceiptCorrection,
    comment: str = "",
    expected_version: int | None = None,
) -> ReceiptCorrection:
    """The office approves a pending request: a void marks the receipt voided; an amendment
    marks it superseded and records the corrected receipt (through the receipt rule, linked
    to it). The figures then read the corrected record for every date."""
    _require_office(user)
    correction = _pending(correction, expected_version)
    receipt = _locked(correction.receipt)
    _in_effect(receipt)
    comment = (comment or "").strip()[:REASON_MAX]
    lock_unit_receipts(receipt.unit_id)
    if correction.kind == CorrectionKind.VOID:
        _set_state(
            receipt,
            ReceiptState.VOIDED,
            user=user,
            action="funding.receipt.voided",
            after={"reason": correction.reason},
        )
    else:
        checked = _check_amendment(user, receipt, correction.changes)
        _set_state(
            receipt,
            ReceiptState.SUPERSEDED,
            user=user,
            action="funding.receipt.superseded",
            after={"reason": correction.reason},
        )
        correction.replacement = store_receipt(user=user, checked=checked, corrects=receipt)
    before = _decide(correction, user=user, state=CorrectionState.APPROVED, comment=comment)
    correction.save()
    record(
        "funding.receipt_correction.approved",
        correction,
        before=before,
        after=snapshot(correction),
        user=user,
    )
    return correction


@transaction.atomic
def refuse_correction(
    *,
    user,
    correction: ReceiptCorrection,
    comment: str,
    expected_version: int | None = None,
) -> ReceiptCorrection:
    """The office refuses a pending request, saying why; the receipt stays as it is."""
    _require_office(user)
    correction = _pending(correction, expected_version)
    comment = _reason(comment, pgettext("correction", "Say why the request is refused."))
    before = _decide(correction, user=user, state=CorrectionState.REFUSED, comment=comment)
    correction.save()
    record(
        "funding.receipt_correction.refused",
        correction,
        before=before,
        after=snapshot(correction),
        user=user,
    )
    return correction


def _decided_now(user, receipt: Receipt, kind: str, reason: str) -> ReceiptCorrection:
    """An office decision taken at once (a rejection, a reinstatement), kept with the
    receipt's other corrections."""
    now = timezone.now()
    correction = ReceiptCorrection.objects.create(
        receipt=receipt,
        kind=kind,
        reason=reason,
        state=CorrectionState.APPROVED,
        requested_at=now,
        requested_by=user,
        decided_at=now,
        decided_by=user,
    )
    record("funding.receipt_correction.approved", correction, after=snapshot(correction), user=user)
    return correction


@transaction.atomic
def reject_receipt(
    *, user, receipt: Receipt, note: str, expected_version: int | None = None
) -> ReceiptCorrection:
    """The office rejects one receipt of a doubtful claim (the money was claimed twice).

    The receipt stays, marked rejected: out of every figure, still shown to the office with
    who, when and why, and kept from coming back with a re-imported ledger; the office may
    reinstate it (`reinstate_receipt`)."""
    _require_office(user)
    receipt = _locked(receipt)
    check_version(receipt, expected_version)
    note = _reason(note, _("Say why the receipt is rejected."))
    if receipt.state != ReceiptState.ACTIVE:
        raise ValidationError(_("This receipt has already been removed."), code="gone")
    shared = (
        receipt.doc_key
        and Receipt.objects.filter(doc_key=receipt.doc_key).exclude(unit=receipt.unit_id).exists()
    )
    if not shared:
        raise ValidationError(
            _("Only a receipt whose document number another unit also recorded can be rejected."),
            code="not_doubtful",
        )
    correction = _decided_now(user, receipt, CorrectionKind.REJECT, note)
    _set_state(
        receipt,
        ReceiptState.REJECTED,
        user=user,
        action="funding.receipt.rejected",
        after={"note": note},
    )
    return correction


@transaction.atomic
def reinstate_receipt(
    *, user, receipt: Receipt, reason: str, expected_version: int | None = None
) -> ReceiptCorrection:
    """The office puts a rejected receipt back into effect, saying why. It passes the
    receipt rule again: a receipt recorded since with the same 文号 and amount refuses it."""
    _require_office(user)
    receipt = _locked(receipt)
    check_version(receipt, expected_version)
    reason = _reason(reason, _("Say why the receipt is reinstated."))
    if receipt.state != ReceiptState.REJECTED:
        raise ValidationError(
            _("Only a receipt rejected as a double claim can be reinstated."), code="not_rejected"
        )
    lock_unit_receipts(receipt.unit_id)
    checked_receipt(
        user=user,
        unit=receipt.unit,
        amount=receipt.amount,
        received_on=receipt.received_on,
        doc_no=receipt.doc_no,
        project=receipt.project,
        channel=receipt.channel,
        level=receipt.level,
        note=receipt.note,
        exclude=receipt.pk,
    )
    if Receipt.objects.filter(
        unit=receipt.unit_id,
        received_on=receipt.received_on,
        amount=receipt.amount,
        doc_no=receipt.doc_no,
    ).exists():
        raise ValidationError(
            _("The same receipt has been recorded again since; it cannot be reinstated."),
            code="duplicate",
        )
    correction = _decided_now(user, receipt, CorrectionKind.REINSTATE, reason)
    _set_state(
        receipt,
        ReceiptState.ACTIVE,
        user=user,
        action="funding.receipt.reinstated",
        after={"reason": reason},
    )
    return correction
