"""Text hygiene in one place (design §10, issue 23 point 7).

- Control characters (C0, DEL, C1; not tab or newline — a textarea's CRLF is a newline) are
  refused with a clear message in every text input: form fields (Django's `CharField` carries
  the validator, installed once by `common.apps`), API bodies (JSON and form-encoded), and the
  cells of a ledger import (an error naming sheet, row and column).
- 文号 keys drop every invisible character and fold bracket lookalikes, so a duplicate written
  with one is caught, and another unit's 文号 written that way is a doubtful claim.
- No stored text can make a document fail: old rows holding U+001C or \\x0b (stored before
  the rule, written here directly into the database) still give the bulletin draft, the issued
  bulletin (.docx and .pdf), `luoshi bulletin`, the dispatch briefing and every .xlsx export.
"""

import datetime as dt
import io
import json
from io import StringIO

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from docx import Document

from common.validation import control_character, refuse_control_characters
from conftest import run_jobs
from funding import services as funding
from funding.models import Receipt
from funding.querysets import doubtful_claims
from ledger.tests.factories import receipt as record
from org.models import Unit
from org.tests.factories import LeaderFactory, PersonFactory, UnitFactory
from policy.services import save_policy, save_work_item


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# --- the rule, without a database ---


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x0c", "\x1c", "\x1f", "\x7f", "\x85"])
def test_control_characters_are_refused_with_their_code_point(char):
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters(f"财建{char}12号")
    assert f"U+{ord(char):04X}" in refused.value.messages[0]


@pytest.mark.parametrize(
    "text", ["第一行\n第二行", "第一行\r\n第二行", "甲\t乙", "普通文字 ２０２４"]
)
def test_tab_newline_and_a_textareas_crlf_pass(text):
    refuse_control_characters(text)
    assert control_character(text) is None


def test_a_lone_carriage_return_is_refused():
    assert control_character("甲\r乙") == "\r"


def test_every_text_field_of_every_form_carries_the_rule():
    """Written once (`common.apps`), so a form written later has it: no form of the project
    may be built before it is installed, or with a field that drops it."""
    from django import forms

    from common.tests.test_input_bounds import project_forms

    missing = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in project_forms()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and refuse_control_characters not in field.validators
    ]
    assert not missing, missing


# --- forms, the API, the ledger ---


@pytest.fixture
def zjj(db):
    """ZJJ's liaison officer, their unit's receipt and work item, and FGW's receipt (not
    the whole demo; the documents below still read the demo's bulletin and dispatch)."""
    units = {code: UnitFactory(code=code) for code in ("ZJJ", "FGW")}
    record(units["ZJJ"], 22_000_000, dt.date(2024, 5, 10), doc_no="省财建〔2024〕11号")
    record(units["FGW"], 5_000_000, dt.date(2024, 6, 3), doc_no="发改投资〔2024〕412号")
    save_work_item(
        user=None,
        policy=save_policy(user=None, title="测试政策"),
        code="GZ-01",
        title="城镇老旧小区改造",
        lead_leader=LeaderFactory(oversees=[units["ZJJ"]]),
        lead_unit=units["ZJJ"],
        due_on=dt.date(2024, 9, 30),
    )
    return PersonFactory(username="zjj", role="unit_officer", unit=units["ZJJ"])


def test_a_form_refuses_a_control_character_in_a_document_number(zjj):
    response = client_for(zjj).post(
        "/cockpit/workbench/receipts/",
        {"amount": "100", "received_on": "2024-06-20", "doc_no": "财建\x1c〔2024〕77号"},
    )
    assert response.status_code == 400
    assert "控制字符" in response.content.decode() and "U+001C" in response.content.decode()
    assert not Receipt.objects.filter(doc_no__contains="\x1c").exists()


def test_a_textareas_crlf_is_saved(zjj):
    from policy.models import ProgressReport, WorkItem

    item = WorkItem.objects.filter(assignments__unit__code="ZJJ").order_by("code").first()
    response = client_for(zjj).post(
        "/cockpit/workbench/reports/",
        {
            "work_item": item.pk,
            "reported_on": "2024-06-20",
            "percent": "40",
            "text": "已开工\r\n正在施工",
        },
    )
    assert response.status_code < 400
    assert ProgressReport.objects.filter(text__contains="正在施工").exists()


@pytest.mark.parametrize("form_encoded", [False, True])
def test_the_api_refuses_a_control_character_naming_the_field(zjj, form_encoded):
    client = client_for(zjj)
    body = {"amount": "100", "received_on": "2024-06-20", "doc_no": "财建\x0b〔2024〕78号"}
    if form_encoded:
        response = client.post("/api/receipts/", body)
    else:
        response = client.post("/api/receipts/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "doc_no" in error and "U+000B" in error
    assert not Receipt.objects.filter(doc_no__contains="\x0b").exists()


def test_a_ledger_cell_with_a_control_character_is_an_error_naming_the_cell(db, tmp_path):
    from ledger.services import import_ledger

    path = tmp_path / "到位资金.csv"
    path.write_text(
        "单位编码,金额（万元）,到位日期,文号\nZJJ,1,2024-06-01,财建\x1c〔2024〕79号\n",
        encoding="utf-8",
    )
    result = import_ledger(path, user=None, name=path.name, dry_run=True)
    assert not result.ok
    error = next(e for e in result.errors if "U+001C" in e.message)
    assert error.row == 2 and error.column == "文号" and error.sheet
    assert "控制字符" in error.message or "control character" in error.message


# --- 文号 keys ---

INVISIBLE = ["\u034f", "\u3164", "\u2800", "\ufe0f", "\x7f"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_a_duplicate_with_an_invisible_character_is_caught(zjj, char):
    receipt = Receipt.objects.filter(unit__code="ZJJ").exclude(doc_no="").first()
    written = receipt.doc_no[:2] + char + receipt.doc_no[2:]
    with pytest.raises(ValidationError) as refused:
        funding.record_receipt(
            user=zjj,
            unit=receipt.unit,
            amount=receipt.amount,
            received_on=receipt.received_on + dt.timedelta(days=1),
            doc_no=written,
        )
    assert refused.value.code == "duplicate"


@pytest.mark.parametrize("char", INVISIBLE)
def test_another_units_number_written_with_an_invisible_character_is_doubtful(zjj, char):
    theirs = Receipt.objects.filter(unit__code="FGW").exclude(doc_no="").first()
    ours, created = funding.record_receipt(
        user=zjj,
        unit=Unit.objects.get(code="ZJJ"),
        amount=1_000_000,
        received_on=theirs.received_on,
        doc_no=char + theirs.doc_no.replace("〔", "《").replace("〕", "》"),
    )
    assert created and ours.doc_key == theirs.doc_key
    claim = next(
        c for c in doubtful_claims() if theirs.doc_key in {r.doc_key for r in c["receipts"]}
    )
    assert {"ZJJ", "FGW"} <= set(claim["units"])


def test_the_migration_recomputes_stored_keys(zjj):
    import importlib

    migration = importlib.import_module("funding.migrations.0009_doc_key_invisible_characters")
    receipt = Receipt.objects.exclude(doc_no="").first()
    Receipt.objects.filter(pk=receipt.pk).update(
        doc_no=receipt.doc_no + "\u2800", doc_key=receipt.doc_key + "\u2800"
    )
    # the migration's rule over receipts (its RejectedReceipt table is gone since the
    # corrections: rejected receipts are receipts in state `rejected`)
    migration._recompute(Receipt)
    receipt.refresh_from_db()
    from funding.docno import normalise_doc_no

    assert receipt.doc_key == normalise_doc_no(receipt.doc_no) and "\u2800" not in receipt.doc_key


# --- documents from old data ---


def _old_data() -> None:
    """Text stored before the rule, straight into the database (no form, no service)."""
    from supervision.models import Dispatch

    Unit.objects.filter(code="ZJJ").update(name="市住房和城乡\x1c建设局")
    Dispatch.objects.update(title="六月调度\x0b会")
    for claim in doubtful_claims(2024, dt.date(2024, 6, 30)):
        Receipt.objects.filter(pk__in=[r.pk for r in claim["receipts"]]).update(
            doc_no="省财建\x1c〔2024〕1号"
        )


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _download(client, job_url: str) -> bytes:
    response = client.get(job_url + "download/")
    assert response.status_code == 200, job_url
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_stored_control_characters_never_fail_a_document(
    cast, tmp_path, django_capture_on_commit_callbacks
):
    from supervision.models import Bulletin, Dispatch

    _old_data()
    office = client_for(cast["office"])

    # the draft, the briefing and the issue are background jobs: run them, then read the files
    period = {"year": "2024", "as_of": "2024-06-30"}
    with django_capture_on_commit_callbacks(execute=True):
        draft = office.post("/supervision/bulletins/draft.docx", period)
    assert draft.status_code == 302
    run_jobs()
    assert "市住房和城乡建设局" in _docx_text(_download(office, draft["Location"]))

    out = tmp_path / "通报.docx"
    call_command("bulletin", year=2024, as_of="2024-06-30", out=str(out), stdout=StringIO())
    assert "市住房和城乡建设局" in _docx_text(out.read_bytes())

    dispatch = Dispatch.objects.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        briefing = office.post(f"/supervision/dispatch/{dispatch.pk}/briefing.docx")
    assert briefing.status_code == 302
    run_jobs()
    assert "六月调度会" in _docx_text(_download(office, briefing["Location"]))

    with django_capture_on_commit_callbacks(execute=True):
        issued = office.post("/supervision/bulletins/issue/", period)
    assert issued.status_code == 302
    run_jobs()
    bulletin = Bulletin.objects.order_by("-pk").first()
    assert "市住房和城乡建设局" in _docx_text(bytes(bulletin.docx))
    assert bytes(bulletin.pdf).startswith(b"%PDF")


@pytest.mark.parametrize(
    "url",
    [
        "/funding/receipts/?year=2024&export=xlsx",
        "/funding/targets/?year=2024&export=xlsx",
        "/ledger/export/?year=2024",
        "/supervision/assessment/export.xlsx?year=2024&as_of=2024-06-30",
        "/cockpit/export/?year=2024&as_of=2024-06-30",
    ],
)
def test_stored_control_characters_never_fail_a_workbook(cast, url):
    _old_data()
    response = client_for(cast["office"]).get(url)
    assert response.status_code == 200, url
    data = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames
