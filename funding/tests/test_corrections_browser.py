"""In Chromium: a unit asks for a correction of a receipt, the office approves it, and the
figures change (design §10)."""

import datetime as dt

import pytest

from conftest import login, screenshot, settle
from funding.choices import ReceiptState
from funding.models import Receipt, ReceiptCorrection
from org.models import Unit
from org.period import ReportingPeriod
from reporting.read_model import secured_by_unit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_unit_asks_for_a_correction_the_office_approves_and_the_figures_change(demo, new_page):
    zjj = Unit.objects.get(code="ZJJ")
    period = ReportingPeriod(2024, dt.date(2024, 12, 31))
    receipt = Receipt.objects.filter(unit=zjj, received_on__year=2024).order_by("pk").first()
    before = secured_by_unit(period, [zjj.pk])[zjj.pk]

    unit = new_page()
    login(unit, "zjj")
    unit.goto("/funding/receipts/")
    # every row of the unit's list offers a correction
    unit.locator(f'a[href="/funding/receipts/{receipt.pk}/correct/"]').first.click()
    settle(unit)
    unit.get_by_label("更正：登记更正后的数值").check()
    unit.get_by_label("金额（万元）").fill("1")
    unit.get_by_label("理由").fill("金额录错，应为1万元")
    screenshot(unit, "correction-request")
    unit.get_by_role("button", name="报送督查室").click()
    settle(unit)
    assert "申请已报送督查室" in unit.locator("body").inner_text()
    assert "待督查室审核" in unit.locator("body").inner_text() or "等待督查室审核" in (
        unit.locator("body").inner_text()
    )
    # pending: the figures are as they were
    assert secured_by_unit(period, [zjj.pk])[zjj.pk] == before

    phone = new_page(viewport=(360, 740))
    login(phone, "office")
    phone.goto("/funding/corrections/")
    screenshot(phone, "correction-queue-phone")
    office = new_page()
    login(office, "office")
    office.goto("/funding/corrections/")
    row = office.locator("#pending tr[data-state=pending]")
    assert row.count() == 1 and "金额录错" in row.inner_text()
    screenshot(office, "correction-queue")
    row.get_by_placeholder("意见（不予更正时必填）").fill("同意")
    row.get_by_role("button", name="审核通过").click()
    settle(office)
    assert "已同意" in office.locator("body").inner_text()

    correction = ReceiptCorrection.objects.get(receipt=receipt)
    assert Receipt.every.get(pk=receipt.pk).state == ReceiptState.SUPERSEDED
    assert correction.replacement.amount == 10_000
    assert secured_by_unit(period, [zjj.pk])[zjj.pk] == before - receipt.amount + 10_000

    # the original shows struck through, with who, when and why, and where the correction is
    office.goto(f"/funding/receipts/{receipt.pk}/")
    settle(office)
    state = office.locator("#receipt-state")
    assert "已更正" in state.inner_text() and "金额录错" in state.inner_text()
    struck = office.locator("dl.figures dd").first.evaluate(
        "el => getComputedStyle(el).textDecorationLine"
    )
    assert struck == "line-through"
    screenshot(office, "receipt-corrected")
    phone.goto(f"/funding/receipts/{receipt.pk}/")
    settle(phone)
    screenshot(phone, "receipt-corrected-phone")
    unit_phone = new_page(viewport=(360, 740))
    login(unit_phone, "zjj")
    other = Receipt.objects.filter(unit=zjj).order_by("pk").first()
    unit_phone.goto(f"/funding/receipts/{other.pk}/correct/")
    settle(unit_phone)
    screenshot(unit_phone, "correction-request-phone")
    office.get_by_role("link", name="查看更正后的记录").click()
    settle(office)
    assert "本记录更正了" in office.locator("body").inner_text()
