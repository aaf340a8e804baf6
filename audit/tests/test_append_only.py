import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from org.services import save_unit


@pytest.mark.django_db(transaction=True)
def test_every_service_write_leaves_an_audit_event():
    unit, _ = save_unit(user=None, code="A1", name="审计测试局")
    event = AuditEvent.objects.get(action="org.unit.created")
    assert event.object_id == str(unit.pk)
    assert event.after["code"] == "A1"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET action = 'forged'", "DELETE FROM audit_auditevent"],
)
def test_an_audit_row_cannot_be_changed_even_with_raw_sql(sql):
    save_unit(user=None, code="A2", name="审计测试二局")
    before = list(AuditEvent.objects.values_list("id", "action"))
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert list(AuditEvent.objects.values_list("id", "action")) == before


@pytest.mark.django_db(transaction=True)
def test_the_orm_cannot_change_audit_rows_either():
    save_unit(user=None, code="A3", name="审计测试三局")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="x")
    assert AuditEvent.objects.filter(action="org.unit.created").count() == 1
