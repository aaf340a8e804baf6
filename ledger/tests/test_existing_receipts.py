"""The ledger import looks up only the stored receipts a file can collide with (issue 21):
its cost follows the file, not the million receipts already stored."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.docno import normalise_doc_no
from funding.models import Receipt
from ledger.receipts import RECEIPT_BATCH, receipts_colliding_with
from ledger.services import import_ledger
from org.models import Unit

from .factories import receipt
from .helpers import write_xlsx


@pytest.fixture
def stored(db) -> None:
    """Three units' receipts (not the whole demo): ZJJ's first on a project, its 文号 also
    recorded by MZJ (a doubtful claim), and others that share nothing with it."""
    from funding.tests.factories import ProjectFactory
    from org.tests.factories import UnitFactory

    zjj, mzj, fgw = (UnitFactory(code=code) for code in ("ZJJ", "MZJ", "FGW"))
    project = ProjectFactory(unit=zjj)
    receipt(zjj, 8_000_000, dt.date(2024, 8, 12), doc_no="省财建〔2024〕701号", project=project)
    receipt(mzj, 8_000_000, dt.date(2024, 8, 20), doc_no="省财建（2024）701 号")
    receipt(zjj, 1_000_000, dt.date(2024, 3, 1), doc_no="建城〔2024〕2号")
    receipt(fgw, 3_000_000, dt.date(2024, 3, 1), doc_no="")


def row(unit: str, amount: int, on: dt.date, doc: str) -> tuple:
    return (2, unit, amount, on, doc, "", "", "")


def test_only_receipts_sharing_a_document_number_or_a_blank_day_are_read(stored):
    unit_pk = dict(Unit.objects.values_list("code", "pk"))
    stored = Receipt.objects.exclude(doc_key="").order_by("pk").first()
    assert Receipt.objects.filter(doc_key=stored.doc_key).count() == 2
    code = Unit.objects.get(pk=stored.unit_id).code
    # the same 文号 typed differently by another unit: a doubtful claim to find
    typed = f" {stored.doc_no} ".replace("〔", "[").replace("〕", "]")
    assert normalise_doc_no(typed) == stored.doc_key
    found = list(receipts_colliding_with([row("NEW", 5, stored.received_on, typed)], unit_pk))
    assert {r[0] for r in found} == set(
        Receipt.objects.filter(doc_key=stored.doc_key).values_list("pk", flat=True)
    )
    # each found row carries its project's code (here the stored one's, not its twin's)
    assert {r[0]: r[6] for r in found}[stored.pk] == stored.project.code

    blank = Receipt.objects.create(
        unit_id=stored.unit_id, amount=7, received_on=dt.date(2024, 3, 1), doc_no=""
    )
    found = list(receipts_colliding_with([row(code, 1, dt.date(2024, 3, 1), "")], unit_pk))
    assert [r[0] for r in found] == [blank.pk]
    assert list(receipts_colliding_with([row(code, 1, dt.date(2024, 3, 2), "")], unit_pk)) == []
    assert list(receipts_colliding_with([row("NEW", 1, dt.date(2024, 3, 1), "")], unit_pk)) == []


def test_many_keys_are_looked_up_in_batches(stored, django_assert_max_num_queries):
    unit_pk = dict(Unit.objects.values_list("code", "pk"))
    code = next(iter(unit_pk))
    rows = [
        row(code, 1, dt.date(2024, 1, 1), f"财建〔2024〕{i}号") for i in range(3 * RECEIPT_BATCH)
    ]
    rows += [row(code, 1, dt.date(2024, 1, 1) + dt.timedelta(days=i), "") for i in range(300)]
    with django_assert_max_num_queries(4):  # 3 batches of 文号, 1 of blank days
        list(receipts_colliding_with(rows, unit_pk))


def test_an_import_reads_receipts_and_projects_by_the_keys_of_its_rows_only(tmp_path, stored):
    """No query of the import — the ledger's checks nor the bulk service's — reads the stored
    receipts or projects whole: each names the keys, codes or ids the file brings."""
    stored = Receipt.objects.exclude(doc_key="").exclude(project=None).order_by("pk").first()
    code = stored.unit.code
    sheets = {
        "到位资金": [
            ["单位编码", "金额（万元）", "到位日期", "文号", "项目编号"],
            [code, 3, "2024-05-02", "财建〔2024〕90001号", stored.project.code],
            [code, 4, "2024-05-03", "", ""],
        ]
    }
    with CaptureQueriesContext(connection) as queries:
        result = import_ledger(write_xlsx(tmp_path / "two.xlsx", sheets), user=None)
    assert result.ok, result.errors
    assert result.counts["receipts"].created == 2
    whole = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if re.search(r'^SELECT (?!MAX\().* FROM "funding_(receipt|project)"', sql):
            where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""
            # by key: a list of keys, codes or ids, one unit's day, the rows just written
            if not re.search(r'" IN \(|"unit_id" = \d|\bid"? > \d', where):
                whole.append(sql)
    assert whole == []
