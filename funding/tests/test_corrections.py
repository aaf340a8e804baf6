"""Corrections of receipts (更正, design §10): asked for, decided, audited; figures, checks,
claims, the ledger and the bulletin follow the corrected record."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from audit.versions import StaleObjectError
from funding import services
from funding.choices import CorrectionState, ReceiptState, Stage
from funding.corrections import services as corrections
from funding.models import Receipt, ReceiptCorrection
from funding.querysets import corrections_since, doubtful_claims
from funding.tests.factories import (
    ZJJ,
    ChannelFactory,
    ProjectFactory,
    ReceiptFactory,
    TargetFactory,
)
from funding.tests.test_rollups import assert_rollups_exact
from org.models import Unit
from org.period import ReportingPeriod
from org.tests.factories import UnitFactory
from reporting.read_model import SYSTEM, figures_for, secured_by_unit

DEMO_CLAIM = "省财建〔2024〕701号"


def _secured(unit: Unit, as_of: dt.date) -> int:
    period = ReportingPeriod(as_of.year, as_of)
    return secured_by_unit(period, [unit.pk]).get(unit.pk, 0)


def _new_receipt(team, *, amount=3_000_000, on=dt.date(2024, 5, 10), doc_no="住建〔2024〕88号"):
    return ReceiptFactory(
        user=team["zjj"], unit=UnitFactory(**ZJJ), amount=amount, received_on=on, doc_no=doc_no
    )


def test_a_void_approved_leaves_every_figure_and_keeps_the_row(team):
    receipt = _new_receipt(team)
    unit = receipt.unit
    june, may = dt.date(2024, 6, 30), dt.date(2024, 5, 31)
    before = (_secured(unit, june), _secured(unit, may))
    request = corrections.request_correction(
        user=team["zjj"],
        receipt=receipt,
        kind="void",
        reason="误报：资金未到账",
        expected_version=receipt.version,
    )
    # pending: the receipt still counts as it is
    assert request.state == CorrectionState.PENDING
    assert _secured(unit, june) == before[0]
    corrections.approve_correction(
        user=team["office"], correction=request, comment="同意", expected_version=request.version
    )
    kept = Receipt.every.get(pk=receipt.pk)
    assert kept.state == ReceiptState.VOIDED and kept.amount == receipt.amount
    assert not Receipt.objects.filter(pk=receipt.pk).exists()
    # out of the figures at every date, the rollups still equal the receipts in effect
    assert (_secured(unit, june), _secured(unit, may)) == (
        before[0] - 3_000_000,
        before[1] - 3_000_000,
    )
    assert_rollups_exact()
    # and out of the duplicate check: the same money may be recorded again
    again = _new_receipt(team)
    assert again.pk != receipt.pk and again.state == ReceiptState.ACTIVE
    actions = set(
        AuditEvent.objects.filter(action__startswith="funding.receipt").values_list(
            "action", flat=True
        )
    )
    assert {
        "funding.receipt_correction.requested",
        "funding.receipt_correction.approved",
        "funding.receipt.voided",
    } <= actions


def test_an_amendment_supersedes_the_receipt_and_the_figures_use_it_for_every_date(team):
    receipt = _new_receipt(team, amount=3_000_000, on=dt.date(2024, 3, 10))
    unit = receipt.unit
    march, july = dt.date(2024, 3, 31), dt.date(2024, 7, 31)
    before = (_secured(unit, march), _secured(unit, july))
    project = ProjectFactory(unit=unit)
    request = corrections.request_correction(
        user=team["zjj_head"],
        receipt=receipt,
        kind="amend",
        reason="金额与日期录错",
        changes={
            "amount": 3_500_000,
            "received_on": dt.date(2024, 7, 2),
            "doc_no": receipt.doc_no,  # unchanged: not part of the request
            "project": project,
        },
        expected_version=receipt.version,
    )
    assert set(request.changes) == {"amount", "received_on", "project"}
    approved = corrections.approve_correction(
        user=team["office"], correction=request, expected_version=request.version
    )
    original = Receipt.every.get(pk=receipt.pk)
    corrected = approved.replacement
    assert original.state == ReceiptState.SUPERSEDED and corrected.corrects_id == original.pk
    assert (corrected.amount, corrected.received_on, corrected.project_id) == (
        3_500_000,
        dt.date(2024, 7, 2),
        project.pk,
    )
    # the receipt rule completed it: the project's channel and level
    assert (corrected.channel_id, corrected.level) == (project.channel_id, project.level)
    # wrong money was never money: in March the receipt is gone, in July the corrected one
    assert _secured(unit, march) == before[0] - 3_000_000
    assert _secured(unit, july) == before[1] + 500_000
    assert_rollups_exact()


def test_a_refusal_needs_a_comment_and_leaves_the_receipt(team):
    receipt = _new_receipt(team)
    request = corrections.request_correction(
        user=team["zjj"], receipt=receipt, kind="void", reason="误报", expected_version=1
    )
    with pytest.raises(ValidationError):
        corrections.refuse_correction(
            user=team["office"], correction=request, comment=" ", expected_version=1
        )
    refused = corrections.refuse_correction(
        user=team["office"], correction=request, comment="附件显示已到账", expected_version=1
    )
    assert refused.state == CorrectionState.REFUSED and refused.decided_by == team["office"]
    assert Receipt.objects.get(pk=receipt.pk).state == ReceiptState.ACTIVE
    # decided once only
    with pytest.raises(ValidationError):
        corrections.approve_correction(
            user=team["office"], correction=refused, expected_version=refused.version
        )


def test_who_may_ask_and_who_decides(team):
    receipt = _new_receipt(team)
    fgw = ReceiptFactory(unit=UnitFactory(code="FGW"))
    for username in ("leader", "sysadmin"):
        with pytest.raises(PermissionDenied):
            corrections.request_correction(
                user=team[username], receipt=receipt, kind="void", reason="x", expected_version=1
            )
    with pytest.raises(PermissionDenied):  # another unit's receipt
        corrections.request_correction(
            user=team["zjj"], receipt=fgw, kind="void", reason="x", expected_version=fgw.version
        )
    request = corrections.request_correction(
        user=team["zjj"], receipt=receipt, kind="void", reason="误报", expected_version=1
    )
    with pytest.raises(ValidationError):  # one request waits at a time
        corrections.request_correction(
            user=team["office"], receipt=receipt, kind="void", reason="x", expected_version=1
        )
    for username in ("zjj", "zjj_head", "leader"):
        with pytest.raises(PermissionDenied):
            corrections.approve_correction(
                user=team[username], correction=request, expected_version=1
            )
    with pytest.raises(StaleObjectError):
        corrections.approve_correction(user=team["office"], correction=request, expected_version=9)


def test_an_amendment_breaking_the_rule_is_refused_when_asked(team):
    receipt = _new_receipt(team)
    other = _new_receipt(team, amount=1_000_000, doc_no="住建〔2024〕89号")
    rejected = ProjectFactory(stage=Stage.REJECTED)
    project_receipt = ReceiptFactory(unit=rejected.unit)
    cases = [
        {"amount": 0},
        # the same 文号 and amount as another receipt of the unit: a duplicate
        {"doc_no": "住建（2024）89号", "amount": other.amount},
        {"received_on": dt.date(2099, 1, 1)},
        {},  # nothing changes
    ]
    for changes in cases:
        with pytest.raises(ValidationError):
            corrections.request_correction(
                user=team["office"],
                receipt=receipt,
                kind="amend",
                reason="x",
                changes=changes,
                expected_version=1,
            )
    with pytest.raises(ValidationError):
        corrections.request_correction(
            user=team["office"],
            receipt=project_receipt,
            kind="amend",
            reason="x",
            changes={"project": rejected},
            expected_version=project_receipt.version,
        )
    assert not ReceiptCorrection.objects.exists()


def test_a_rejected_double_claim_stays_visible_and_can_be_reinstated(client, team, claim):
    _zjj, mzj = claim
    june = dt.date(2024, 12, 31)  # the claim is of August
    before = _secured(mzj.unit, june)
    corrections.reject_receipt(
        user=team["office"], receipt=mzj, note="民政局误报", expected_version=mzj.version
    )
    assert _secured(mzj.unit, june) == before - mzj.amount
    assert doubtful_claims(2024) == []
    client.force_login(team["office"])
    page = client.get(reverse("funding:receipt_detail", args=[mzj.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "民政局误报" in text and 'id="reinstate-form"' in text and "receipt-state" in text
    rejected = Receipt.every.get(pk=mzj.pk)
    with pytest.raises(ValidationError):  # a reason is needed
        corrections.reinstate_receipt(
            user=team["office"], receipt=rejected, reason="", expected_version=rejected.version
        )
    response = client.post(
        reverse("funding:receipt_reinstate", args=[mzj.pk]),
        {"reason": "核实：两单位各获拨付", "version": rejected.version},
    )
    assert response.status_code == 302
    assert Receipt.objects.get(pk=mzj.pk).state == ReceiptState.ACTIVE
    assert _secured(mzj.unit, june) == before
    assert [c["doc_no"] for c in doubtful_claims(2024)] == [DEMO_CLAIM]
    event = AuditEvent.objects.get(action="funding.receipt.reinstated")
    assert event.after["reason"] == "核实：两单位各获拨付" and event.actor_id == team["office"].pk
    assert_rollups_exact()


def test_a_reinstatement_that_would_duplicate_is_refused(team, claim):
    _zjj, mzj = claim
    corrections.reject_receipt(user=team["office"], receipt=mzj, note="重复", expected_version=1)
    services.record_receipt(
        user=team["office"],
        unit=mzj.unit,
        amount=mzj.amount,
        received_on=mzj.received_on,
        doc_no=mzj.doc_no,
    )
    rejected = Receipt.every.get(pk=mzj.pk)
    with pytest.raises(ValidationError):
        corrections.reinstate_receipt(
            user=team["office"], receipt=rejected, reason="恢复", expected_version=rejected.version
        )


def test_a_ledger_holding_a_voided_receipt_does_not_bring_it_back(tmp_path, team):
    from ledger.export import export_ledger
    from ledger.services import import_ledger

    receipt = _new_receipt(team)
    path = tmp_path / "before.xlsx"
    export_ledger(path)
    request = corrections.request_correction(
        user=team["zjj"], receipt=receipt, kind="void", reason="误报", expected_version=1
    )
    corrections.approve_correction(user=team["office"], correction=request, expected_version=1)
    result = import_ledger(path, user=None)
    assert result.ok and result.changed == 0
    assert not Receipt.objects.filter(doc_no=receipt.doc_no).exists()
    assert [("作废" in w.message) for w in result.warnings] == [True]


def test_the_pages_ask_decide_and_show_the_history(client, team):
    receipt = _new_receipt(team)
    client.force_login(team["zjj"])
    listing = client.get(reverse("funding:receipt_list")).content.decode()
    assert reverse("funding:correction_request", args=[receipt.pk]) in listing
    url = reverse("funding:correction_request", args=[receipt.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "amend",
            "amount": "350",
            "received_on": "2024-05-10",
            "doc_no": receipt.doc_no,
            "reason": "金额录错",
            "version": receipt.version,
        },
    )
    assert response.status_code == 302
    request = ReceiptCorrection.objects.get(receipt=receipt)
    assert request.changes == {"amount": 3_500_000}
    client.force_login(team["office"])
    queue = client.get(reverse("funding:correction_list")).content.decode()
    assert "金额录错" in queue and reverse("funding:correction_approve", args=[request.pk]) in queue
    client.post(
        reverse("funding:correction_approve", args=[request.pk]),
        {"version": request.version, "comment": "同意"},
    )
    page = client.get(reverse("funding:receipt_detail", args=[receipt.pk])).content.decode()
    assert "金额录错" in page and "receipt-state" in page
    # the corrected receipt says what it corrects
    replacement = ReceiptCorrection.objects.get(pk=request.pk).replacement
    page = client.get(reverse("funding:receipt_detail", args=[replacement.pk])).content.decode()
    assert reverse("funding:receipt_detail", args=[receipt.pk]) in page


def test_the_bulletin_lists_corrections_since_the_previous_issued_one(team):
    from docx import Document

    from supervision.bulletin import bulletin_content
    from supervision.documents import render_bulletin_docx

    receipt = _new_receipt(team)
    request = corrections.request_correction(
        user=team["zjj"],
        receipt=receipt,
        kind="amend",
        reason="金额录错",
        changes={"amount": 3_200_000},
        expected_version=1,
    )
    corrections.approve_correction(user=team["office"], correction=request, expected_version=1)
    period = ReportingPeriod(2024, dt.date(2024, 6, 30))
    content = bulletin_content(period)
    (note,) = content["corrections"]
    assert note["unit"] == receipt.unit.name and note["reason"] == "金额录错"
    assert note["changes"] == [{"field": "金额", "before": "300万元", "after": "320万元"}]
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(render_bulletin_docx(content))).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "金额：300万元 → 320万元" in text and "金额录错" in text
    # once a bulletin is issued, the next one starts afresh
    from supervision.models import Bulletin

    issued = Bulletin.objects.create(
        title="t", year=2024, number=99, as_of=dt.date(2024, 6, 30), body="b", figures={}
    )
    assert corrections_since(issued.created_at) == []
    assert bulletin_content(period)["corrections"] == []


def test_figures_of_channels_exclude_a_voided_receipt(team):
    channel = ChannelFactory()
    zjj = TargetFactory(unit=UnitFactory(**ZJJ)).unit  # in the league: the figures count it
    receipt, _ = services.record_receipt(
        user=team["zjj"],
        unit=zjj,
        amount=9_000_000,
        received_on=dt.date(2024, 2, 3),
        channel=channel,
    )
    period = ReportingPeriod(2024, dt.date(2024, 6, 30))
    with_it = dict(figures_for(SYSTEM, period).secured_by("channel__name"))
    request = corrections.request_correction(
        user=team["zjj"], receipt=receipt, kind="void", reason="误报", expected_version=1
    )
    corrections.approve_correction(user=team["office"], correction=request, expected_version=1)
    without = dict(figures_for(SYSTEM, period).secured_by("channel__name"))
    assert with_it[channel.name] - without.get(channel.name, 0) == 9_000_000
