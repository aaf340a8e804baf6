import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit import chain, triggers
from audit.models import AuditAnchor, AuditEvent
from org.services import save_unit

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def make_events(n: int) -> list[int]:
    for i in range(n):
        save_unit(user=None, code=f"C{i}", name=f"链测试单位{i}")
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_event_links_to_the_one_before():
    ids = make_events(4)
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert f"{len(ids)} events verified" in verify()


def test_a_tampered_row_is_detected():
    ids = make_events(4)
    triggers.remove(connection)
    raw("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [ids[2]])
    with pytest.raises(CommandError, match=f"event {ids[2]}: content altered"):
        verify()


def test_a_deleted_row_is_detected():
    ids = make_events(4)
    triggers.remove(connection)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[1]])
    with pytest.raises(CommandError, match=f"event {ids[2]}: link broken"):
        verify()


def age_first_events(n: int, days: int) -> None:
    """Backdate the first n events and re-seal the chain (test set-up only)."""
    triggers.remove(connection)
    old = timezone.now() - dt.timedelta(days=days)
    first = list(AuditEvent.objects.order_by("id").values_list("id", flat=True)[:n])
    AuditEvent.objects.filter(id__in=first).update(at=old)
    previous = ""
    for event in AuditEvent.objects.order_by("id"):
        fields = {name: getattr(event, name) for name in chain.SEALED_FIELDS}
        digest = chain.seal(fields, previous)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=previous, hash=digest)
        previous = digest
    triggers.install(connection)


def test_pruning_removes_only_events_older_than_retention_and_the_chain_still_verifies():
    ids = make_events(6)
    age_first_events(3, days=200)
    call_command("audit_prune", stdout=StringIO())
    remaining = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert remaining[: len(ids) - 3] == ids[3:]  # the younger events all stay
    assert AuditEvent.objects.get(action="audit.pruned").actor_name == "luoshi audit_prune"
    assert AuditAnchor.objects.get().pruned_through == ids[2]
    assert "verified" in verify()


def test_retention_below_180_days_is_refused():
    make_events(1)
    with pytest.raises(CommandError, match="at least 180"):
        call_command("audit_prune", days=30, stdout=StringIO())


def test_the_database_refuses_to_delete_a_young_event_but_allows_an_old_one():
    ids = make_events(3)
    age_first_events(1, days=365)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[2]])
    raw("DELETE FROM audit_auditevent WHERE id = %s", [ids[0]])
    assert AuditEvent.objects.filter(id=ids[0]).count() == 0
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [ids[1]])


def test_the_demo_and_a_bulk_ledger_import_keep_the_chain_intact(demo, tmp_path):
    import xlsxwriter

    from ledger.services import import_ledger

    path = tmp_path / "ledger.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("到位资金")
    sheet.write_row(0, 0, ["单位编码", "金额（万元）", "到位日期", "文号"])
    for n in range(1, 51):
        sheet.write_row(n, 0, ["ZJJ", n, "2024-05-20", f"链〔2024〕{n}号"])
    workbook.close()
    before = AuditEvent.objects.count()
    assert import_ledger(path, user=None).ok
    assert AuditEvent.objects.count() == before + 51  # 50 receipts + the batch event
    assert "verified" in verify()


def test_the_batch_sealer_seals_exactly_as_seal_does():
    from decimal import Decimal

    shared = {
        "at": timezone.now(),
        "actor_id": 7,
        "actor_name": "督查室 孙丽 100%s%%",  # a % in the shared part of the template
        "role": "office",
        "ip": None,
        "request_id": "r-1",
        "success": True,
        "batch": "b" * 32,
        "client_request_id": "client-1",
    }
    events = [
        ("a.created", "x.y", "1", '引号“”"\\ 和换行\n', None, {"amount": Decimal("1.50"), "n": 3}),
        (
            "a.updated",
            "x.y",
            "2",
            "%s %(x)s",
            {"k": [1, 2], "d": "2024-06-30"},
            {"k": [2], "z": None},
        ),
    ]
    sealer = chain.BatchSealer(shared, "prev")
    previous = "prev"
    for event in events:
        _before, _after, prev_hash, digest = sealer.seal_event(*event)
        fields = shared | dict(zip(chain.EVENT_FIELDS, event, strict=True))
        assert prev_hash == previous
        assert digest == chain.seal(fields, previous)
        previous = digest


_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.decimals(allow_nan=False)
    | st.dates()
)
_json_tree = st.recursive(
    _json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@given(_json_tree | st.dictionaries(st.text(), _json_tree, max_size=6))
def test_the_sealers_json_is_the_canonical_json(value):
    assert chain._json_text(value) == chain.canonical_json(value)
