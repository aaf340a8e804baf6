"""The request-and-answer base (`common.models.OfficeRequest`) of policy's extension and
closing requests and funding's receipt corrections: one answer, whichever state field the
record names. Unsaved instances: no database."""

import datetime as dt

import pytest
from django.utils import translation

from funding.choices import CorrectionState
from funding.models import ReceiptCorrection
from policy.models import CloseRequest, ExtensionRequest, RequestStatus

AT = dt.datetime(2024, 7, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("model", [ExtensionRequest, CloseRequest])
def test_a_units_request_is_answered_in_its_status(model):
    asked = model(requested_at=AT)
    assert asked.is_pending and asked.version == 1
    asked.decide(user=None, state=RequestStatus.REFUSED, comment="材料不全", at=AT)
    assert (asked.status, asked.comment, asked.decided_at, asked.version) == (
        RequestStatus.REFUSED,
        "材料不全",
        AT,
        2,
    )
    assert not asked.is_pending


def test_a_correction_is_answered_in_its_state():
    correction = ReceiptCorrection(requested_at=AT)
    assert correction.is_pending
    correction.decide(user=None, state=CorrectionState.APPROVED, comment="", at=AT)
    assert correction.state == CorrectionState.APPROVED and correction.version == 2
    assert not correction.is_pending


def test_the_fields_keep_their_labels_and_columns():
    # the base carries the fields; a correction keeps its own labels and its short comment
    with translation.override("en"):
        assert str(ExtensionRequest._meta.get_field("decided_by").verbose_name) == "answered by"
        assert str(ReceiptCorrection._meta.get_field("decided_by").verbose_name) == "decided by"
    assert ReceiptCorrection._meta.get_field("comment").max_length == 300
    assert ExtensionRequest._meta.get_field("comment").get_internal_type() == "TextField"
    for model in (ExtensionRequest, CloseRequest, ReceiptCorrection):
        names = {f.name for f in model._meta.concrete_fields}
        assert {"requested_by", "requested_at", "decided_by", "decided_at", "version"} <= names
