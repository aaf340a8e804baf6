"""The raw bulk-insert helpers of common/services.py (used by the ledger import's services).

`insert_rows` writes many rows per statement (COPY on PostgreSQL) and must write exactly the
rows given, whatever their number against the statement size; `indexes_built_after` may drop
a table's plain indexes around a large insert on SQLite and must leave the schema exactly as
it was, also when the insert fails.
"""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Max

from common.services import indexes_built_after, insert_rows, new_ids
from funding.models import Receipt
from funding.services import RECEIPT_COLUMNS
from org.models import Unit

pytestmark = pytest.mark.django_db


def schema(table: str) -> list[tuple]:
    """The table's indexes as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "ORDER BY name",
                [table],
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1",
                [table],
            )
        return cursor.fetchall()


def rows_for(unit: Unit, count: int, tag: str) -> list[tuple]:
    start = dt.date(2024, 1, 1)
    return [
        (unit.pk, None, 100 + k, start + dt.timedelta(days=k % 300), f"{tag}{k}", None, "", "",
         1, f"{tag}{k}")
        for k in range(count)
    ]  # fmt: skip


@pytest.mark.parametrize("count", [1, 499, 500, 501, 1_234])
def test_insert_rows_writes_exactly_the_rows_given(count):
    unit = Unit.objects.create(code="BULK", name="批量单位")
    last_id = Receipt.objects.aggregate(last=Max("pk"))["last"] or 0
    rows = rows_for(unit, count, "批")
    with transaction.atomic():
        insert_rows(Receipt, RECEIPT_COLUMNS, rows)
    ids = new_ids(Receipt, last_id, RECEIPT_COLUMNS, rows, (0, 3, 2, 4))
    written = Receipt.objects.in_bulk(ids)
    assert len(written) == count
    for pk, row in zip(ids, rows, strict=True):
        receipt = written[pk]
        assert (receipt.amount, receipt.received_on, receipt.doc_no) == (row[2], row[3], row[4])


def test_indexes_dropped_for_a_large_insert_come_back_the_same():
    unit = Unit.objects.create(code="BULK", name="批量单位")
    before = schema("funding_receipt")
    assert len(before) > 5
    rows = rows_for(unit, 50, "建")
    with transaction.atomic():
        with indexes_built_after(Receipt, len(rows), at_least=1):
            if connection.vendor == "sqlite":  # dropped meanwhile; PostgreSQL keeps them
                assert len(schema("funding_receipt")) < len(before)
            insert_rows(Receipt, RECEIPT_COLUMNS, rows)
        assert schema("funding_receipt") == before
    assert Receipt.objects.filter(unit=unit).count() == 50
    # the unique natural key held all along
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (IntegrityError per DB)
        with indexes_built_after(Receipt, 1, at_least=1):
            insert_rows(Receipt, RECEIPT_COLUMNS, rows[:1])
    assert schema("funding_receipt") == before


def test_a_failed_large_insert_caught_by_the_caller_still_leaves_the_indexes():
    unit = Unit.objects.create(code="BULK", name="批量单位")
    before = schema("funding_receipt")
    with transaction.atomic():
        try:
            with indexes_built_after(Receipt, 30, at_least=1):
                insert_rows(Receipt, RECEIPT_COLUMNS, rows_for(unit, 30, "捕"))
                raise RuntimeError("a failure the caller catches")
        except RuntimeError:
            pass
    assert schema("funding_receipt") == before


def test_a_failed_large_insert_leaves_the_indexes_and_no_row():
    unit = Unit.objects.create(code="BULK", name="批量单位")
    before = schema("funding_receipt")
    count = Receipt.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        with indexes_built_after(Receipt, 30, at_least=1):
            insert_rows(Receipt, RECEIPT_COLUMNS, rows_for(unit, 30, "败"))
            raise RuntimeError("a failure half-way")
    assert schema("funding_receipt") == before
    assert Receipt.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_indexes_are_dropped_only_inside_a_transaction():
    before = schema("funding_receipt")
    if connection.vendor == "sqlite":
        with pytest.raises(RuntimeError), indexes_built_after(Receipt, 10, at_least=1):
            pass
    else:  # PostgreSQL never drops them, in a transaction or not
        with indexes_built_after(Receipt, 10, at_least=1):
            assert schema("funding_receipt") == before
    assert schema("funding_receipt") == before
