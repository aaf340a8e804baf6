"""The ledger's bulk path keeps every figure exact (issue 12 item 7).

A large import inserts its receipts many rows per statement with the rollup triggers paused,
then adds them to the rollups in grouped statements in the same transaction. After imports of
new receipts, doubtful claims and changed channels, the rollups must equal a recomputation
from the receipts, every new receipt must have its own audit event naming exactly it, and a
bad row anywhere in a large file must leave everything as it was. Runs on SQLite and, with
DATABASE_URL, on PostgreSQL.
"""

import datetime as dt
import gc
import random

import pytest
from django.utils import timezone, translation

from audit.models import AuditEvent
from funding.models import Channel, Receipt, ReceiptSharedDoc, ReceiptUnitMonth
from funding.tests.test_rollups import assert_rollups_exact
from ledger.services import import_ledger
from org.models import Unit

from .factories import receipt
from .helpers import write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db) -> list[Unit]:
    """Four units with a receipt each, so there are rollups to keep (not the whole demo)."""
    from org.tests.factories import UnitFactory

    made = UnitFactory.create_batch(4)
    for n, unit in enumerate(made, start=1):
        receipt(unit, n * 1_000_000, dt.date(2024, n, 10), doc_no=f"汇总〔2024〕{n}号")
    return made


HEADER = ["单位编码", "金额（万元）", "到位日期", "项目编号", "文号", "资金渠道", "层级"]
LEVELS = ["", "中央", "省级", "市级"]
COUNT = 1_303  # more than two statements of 500 rows, and a remainder


def receipt_rows(seed: int, codes: list[str], channels: list[str], count: int) -> list[list]:
    pick = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < count:
        day = dt.date(2023, 12, 1) + dt.timedelta(days=pick.randrange(0, 420))
        amount = pick.randrange(1, 90_000) / 100  # 万元, to the 元
        code = pick.choice(codes)
        doc = f"批量〔{seed}〕{len(rows)}号" if pick.random() < 0.9 else ""
        if (code, day, amount, doc) in seen:
            continue
        seen.add((code, day, amount, doc))
        channel = pick.choice(["", *channels])
        rows.append([code, amount, day.isoformat(), "", doc, channel, pick.choice(LEVELS)])
    return rows


def created_events(result) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(batch=result.batch, action="funding.receipt.created"))


def assert_events_name_their_receipts(result, count: int) -> None:
    events = created_events(result)
    assert len(events) == count
    receipts = Receipt.objects.in_bulk([int(event.object_id) for event in events])
    assert len(receipts) == count  # one event each, no receipt named twice
    for event in events:
        receipt = receipts[int(event.object_id)]
        after = event.after
        assert after["id"] == receipt.pk
        assert (after["unit_id"], after["amount"], after["received_on"], after["doc_no"]) == (
            receipt.unit_id,
            receipt.amount,
            receipt.received_on.isoformat(),
            receipt.doc_no,
        )
        assert after["doc_key"] == receipt.doc_key


def index_schema() -> list[tuple]:
    from common.tests.test_bulk_insert_helpers import schema

    return schema("funding_receipt") + schema("audit_auditevent")


@pytest.mark.parametrize("indexes_after", [None, 1], ids=["indexes kept", "indexes built after"])
def test_a_large_import_keeps_the_rollups_exact_and_audits_each_receipt(
    demo, tmp_path, monkeypatch, indexes_after
):
    if indexes_after:  # as a first ledger of 100,000 receipts does, on SQLite
        monkeypatch.setattr("common.services.INDEXES_AFTER_ROWS", indexes_after)
        assert Receipt.objects.count() < COUNT  # so the table's indexes are built after
    indexes = index_schema()
    codes = list(Unit.objects.order_by("code").values_list("code", flat=True))
    channels = list(Channel.objects.order_by("name").values_list("name", flat=True))
    # a 文号 another unit already recorded: a doubtful claim, its key becomes shared
    other = Receipt.objects.exclude(doc_no="").order_by("pk").first()
    claimant = next(code for code in codes if code != other.unit.code)
    before = Receipt.objects.count()
    rows = receipt_rows(1, codes, channels, COUNT - 1)
    rows.append([claimant, 12.5, "2024-03-04", "", other.doc_no, "", ""])
    path = write_xlsx(tmp_path / "large.xlsx", {"到位资金": [HEADER, *rows]})
    result = import_ledger(path, user=None)
    assert result.ok, result.errors[:3]
    assert Receipt.objects.count() == before + COUNT
    assert ReceiptSharedDoc.objects.filter(doc_key=other.doc_key).exists()
    assert ReceiptUnitMonth.objects.filter(year=2023, month=12).exists()
    assert_rollups_exact()
    assert_events_name_their_receipts(result, COUNT)

    # again with other channels and levels on part of the rows (updates) and new rows
    changed = [list(row) for row in rows]
    for row in changed[::7]:
        row[5], row[6] = channels[0], "中央"
    more = receipt_rows(2, codes, channels, 600)
    path = write_xlsx(tmp_path / "again.xlsx", {"到位资金": [HEADER, *changed, *more]})
    again = import_ledger(path, user=None)
    assert again.ok, again.errors[:3]
    counts = again.counts["receipts"]
    assert counts.created == 600 and counts.updated > 0
    assert Receipt.objects.count() == before + COUNT + 600
    assert_rollups_exact()
    assert_events_name_their_receipts(again, 600)
    assert index_schema() == indexes
    assert gc.isenabled()  # paused for the import only


def test_one_bad_row_at_the_end_of_a_large_file_writes_nothing(units, tmp_path):
    codes = list(Unit.objects.order_by("code").values_list("code", flat=True))
    rows = receipt_rows(3, codes, [], COUNT)
    rows.append([codes[0], "一百", "2024-05-06", "", "坏〔2024〕1号", "", ""])
    path = write_xlsx(tmp_path / "bad.xlsx", {"到位资金": [HEADER, *rows]})
    receipts, events = Receipt.objects.count(), AuditEvent.objects.count()
    rollups = sorted(ReceiptUnitMonth.objects.values_list("unit_id", "year", "month", "total"))
    with translation.override("zh-hans"):
        result = import_ledger(path, user=None)
        assert not result.ok
        [error] = result.errors
        assert (error.sheet, error.row, error.column) == ("到位资金", COUNT + 2, "金额（万元）")
        assert "不是金额" in error.message
    assert Receipt.objects.count() == receipts
    assert AuditEvent.objects.count() == events
    assert gc.isenabled()
    assert (
        sorted(ReceiptUnitMonth.objects.values_list("unit_id", "year", "month", "total")) == rollups
    )


def test_receipt_dates_outside_the_window_are_refused_in_chinese(units, tmp_path):
    codes = list(Unit.objects.order_by("code").values_list("code", flat=True))
    far = timezone.localdate().year + 2
    rows = [
        [codes[0], 10, f"{far}-01-01", "", "远〔2024〕1号", "", ""],
        [codes[0], 10, "1999-12-31", "", "远〔2024〕2号", "", ""],
        [codes[0], 10, f"{far - 1}-12-31", "", "远〔2024〕3号", "", ""],  # the last day allowed
    ]
    path = write_xlsx(tmp_path / "dates.xlsx", {"到位资金": [HEADER, *rows]})
    receipts = Receipt.objects.count()
    with translation.override("zh-hans"):
        result = import_ledger(path, user=None)
    assert [(e.row, e.column) for e in result.errors] == [(2, "到位日期"), (3, "到位日期")]
    assert f"须不晚于{far - 1}-12-31" in result.errors[0].message
    assert "2000-01-01" in result.errors[1].message
    assert Receipt.objects.count() == receipts


def test_a_failure_caught_inside_a_bulk_insert_leaves_the_rollups_running(units):
    from django.db import connection, transaction
    from django.db.models import Max

    from funding import rollup_triggers, services
    from org.tests.factories import cast_of

    unit = Unit.objects.order_by("pk").first()
    last_id = Receipt.objects.aggregate(last=Max("pk"))["last"] or 0
    with transaction.atomic():
        try:
            with rollup_triggers.bulk_insert(connection, last_id):
                raise ValueError("a failure that is not the database's")
        except ValueError:
            pass
        services.record_receipt(
            user=cast_of("office")["office"],
            unit=unit,
            amount=10_000,
            received_on=dt.date(2024, 5, 5),
            doc_no="恢复〔2024〕1号",
        )
        assert_rollups_exact()  # the receipt after it was added to the rollups
