"""Corrections of receipts over the API (design §10), with the pages' scoping and services:
a unit asks for corrections of its own receipts, the office of any and decides them."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from common.dates import DateError, parse_date
from common.money import AmountError, parse_amount
from common.permissions import CHANGE
from funding.corrections import services
from funding.models import Channel, Project, Receipt, ReceiptCorrection
from funding.querysets import correction_rows

from .api import ERRORS, WRITE_ERRORS, Pages, api
from .errors import error_response
from .schemas import StrictIn


class CorrectionIn(StrictIn):
    """Void or amend a receipt. An amendment gives the corrected values of the fields that
    change: `amount` (as people write it, 万元 by default), `received_on`, `doc_no`,
    `channel` (name, or "" for none), `project` (code, or "" for none)."""

    kind: str = Field(..., max_length=10, description="void or amend")
    reason: str = Field(..., min_length=1, max_length=300)
    version: int = Field(..., ge=1, le=2**31, description="the receipt's version you read")
    amount: int | float | str | None = Field(None, examples=["120", "1.2亿"])
    received_on: str | None = Field(None, max_length=40, examples=["2024-06-30"])
    doc_no: str | None = Field(None, max_length=100)
    channel: str | None = Field(None, max_length=100, description="channel name")
    project: str | None = Field(None, max_length=40, description="project code")


class DecisionIn(StrictIn):
    version: int = Field(..., ge=1, le=2**31, description="the request's version you read")
    comment: str = Field("", max_length=300, description="required to refuse")


class ChangeOut(Schema):
    field: str
    before: str
    after: str


class CorrectionOut(Schema):
    id: int
    receipt: int
    unit: str
    kind: str = Field(..., description="void, amend, reject or reinstate")
    state: str = Field(..., description="pending, approved or refused")
    changes: list[ChangeOut]
    reason: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None = None
    comment: str
    replacement: int | None = Field(None, description="the corrected receipt (an amendment)")
    version: int


def _out(row: dict) -> dict:
    correction = row["correction"]
    return {
        "id": correction.pk,
        "receipt": correction.receipt_id,
        "unit": correction.receipt.unit.code,
        "kind": correction.kind,
        "state": correction.state,
        "changes": row["changes"],
        "reason": correction.reason,
        "requested_at": correction.requested_at,
        "decided_at": correction.decided_at,
        "comment": correction.comment,
        "replacement": correction.replacement_id,
        "version": correction.version,
    }


class CorrectionFilter(Schema):
    state: str | None = Field(None, max_length=10, description="pending, approved or refused")


@api.get(
    "/corrections/",
    response={200: list[CorrectionOut], **ERRORS},
    url_name="corrections",
    tags=["funding"],
)
@paginate(Pages)
def list_corrections(request, filters: Query[CorrectionFilter]):
    """Corrections of the receipts in scope, newest first (`?state=pending`: the queue)."""
    corrections = ReceiptCorrection.objects.visible_to(request.auth)
    if filters.state:
        corrections = corrections.filter(state=filters.state)
    return _Rows(corrections.order_by("-requested_at", "-pk"))


class _Rows:
    """A queryset the paginator slices and counts, each page turned into `CorrectionOut`."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __getitem__(self, part):
        return [_out(row) for row in correction_rows(self.queryset[part])]

    def count(self) -> int:
        return self.queryset.count()


@api.post(
    "/receipts/{receipt_id}/corrections/",
    response={201: CorrectionOut, **WRITE_ERRORS},
    url_name="correction_create",
    tags=["funding"],
)
def create_correction(request, receipt_id: int, payload: CorrectionIn):
    """Ask for a correction of a receipt in effect (`funding.corrections.services`)."""
    receipt = get_object_or_404(
        Receipt.every.visible_to(request.auth, CHANGE), pk=min(receipt_id, 2**62)
    )
    changes: dict = {}
    try:
        if payload.amount is not None:
            changes["amount"] = parse_amount(payload.amount)
        if payload.received_on is not None:
            changes["received_on"] = parse_date(payload.received_on)
    except (AmountError, DateError) as exc:
        return error_response(str(exc), 400)
    if payload.doc_no is not None:
        changes["doc_no"] = payload.doc_no
    if payload.channel is not None:
        changes["channel"] = (
            get_object_or_404(Channel, name=payload.channel) if payload.channel else None
        )
    if payload.project is not None:
        changes["project"] = (
            get_object_or_404(Project.objects.visible_to(request.auth), code=payload.project)
            if payload.project
            else None
        )
    correction = services.request_correction(
        user=request.auth,
        receipt=receipt,
        kind=payload.kind,
        reason=payload.reason,
        changes=changes,
        expected_version=payload.version,
    )
    return Status(201, _one(correction))


def _one(correction: ReceiptCorrection) -> dict:
    return _out(correction_rows(ReceiptCorrection.objects.filter(pk=correction.pk))[0])


def _decide(request, correction_id: int, payload: DecisionIn, decide):
    correction = get_object_or_404(
        ReceiptCorrection.objects.visible_to(request.auth), pk=min(correction_id, 2**62)
    )
    decided = decide(
        user=request.auth,
        correction=correction,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return _one(decided)


@api.post(
    "/corrections/{correction_id}/approve/",
    response={200: CorrectionOut, **WRITE_ERRORS},
    url_name="correction_approve",
    tags=["funding"],
)
def approve_correction(request, correction_id: int, payload: DecisionIn):
    """The office approves a request: the receipt is voided, or superseded by the corrected
    receipt; the figures use the corrected record for every date."""
    return _decide(request, correction_id, payload, services.approve_correction)


@api.post(
    "/corrections/{correction_id}/refuse/",
    response={200: CorrectionOut, **WRITE_ERRORS},
    url_name="correction_refuse",
    tags=["funding"],
)
def refuse_correction(request, correction_id: int, payload: DecisionIn):
    """The office refuses a request, saying why (`comment`)."""
    return _decide(request, correction_id, payload, services.refuse_correction)
