"""A ledger whose 上级单位编码 make a loop is refused as the unit form refuses it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from audit.models import AuditEvent
from org.models import Unit
from org.services import save_unit

from .helpers import write_xlsx

HEADER = ["单位编码", "单位名称", "单位类型", "上级单位编码"]


def form_refusal(code: str, parent_code: str) -> str:
    """What `save_unit` (the unit form) says when asked to place `code` under `parent_code`."""
    unit = Unit.objects.get(code=code)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        save_unit(
            user=None,
            code=code,
            name=unit.name,
            kind=unit.kind,
            parent=Unit.objects.get(code=parent_code),
        )
    [message] = refused.value.messages
    return message


def refused_dry_run(path) -> str:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_ledger", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    return err.getvalue()


@pytest.mark.django_db
def test_it_refuses_a_loop_made_within_one_file(tmp_path):
    sheets = {"单位": [HEADER, ["CYA", "甲", "部门", "CYB"], ["CYB", "乙", "部门", "CYA"]]}
    text = refused_dry_run(write_xlsx(tmp_path / "loop.xlsx", sheets))
    assert Unit.objects.count() == 0 and AuditEvent.objects.count() == 0
    # the same loop entered through the form, one unit at a time
    save_unit(user=None, code="CYA", name="甲")
    save_unit(user=None, code="CYB", name="乙", parent=Unit.objects.get(code="CYA"))
    message = form_refusal("CYA", "CYB")
    assert f"单位 / 2 / 上级单位编码: {message}" in text
    assert f"单位 / 3 / 上级单位编码: {message}" in text


@pytest.mark.django_db
def test_it_refuses_a_file_that_loops_a_stored_unit_through_a_new_one(tmp_path):
    save_unit(user=None, code="P", name="丙")
    save_unit(user=None, code="Q", name="丁", parent=Unit.objects.get(code="P"))
    sheets = {"单位": [HEADER, ["P", "丙", "部门", "N"], ["N", "戊", "部门", "Q"]]}
    events = AuditEvent.objects.count()
    text = refused_dry_run(write_xlsx(tmp_path / "loop.xlsx", sheets))
    assert not Unit.objects.filter(code="N").exists()
    assert Unit.objects.get(code="P").parent_id is None
    assert AuditEvent.objects.count() == events
    message = form_refusal("P", "Q")
    assert f"单位 / 2 / 上级单位编码: {message}" in text
    assert f"单位 / 3 / 上级单位编码: {message}" in text


@pytest.mark.django_db
def test_a_unit_named_as_its_own_parent_is_told_the_same(tmp_path):
    save_unit(user=None, code="S", name="己")
    sheets = {"单位": [HEADER, ["S", "己", "部门", "S"]]}
    text = refused_dry_run(write_xlsx(tmp_path / "self.xlsx", sheets))
    assert f"单位 / 2 / 上级单位编码: {form_refusal('S', 'S')}" in text
