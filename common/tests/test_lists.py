"""The list pages' common behaviour, exercised on the receipt list: filter, sort, page, export."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from common.lists import PAGE_SIZE, ordering
from funding import lists
from funding.models import Project, Receipt
from funding.services import record_receipt
from funding.tests.factories import ChannelFactory, ProjectFactory
from ledger.tests.factories import receipt, target
from org.models import Unit
from org.tests.factories import UnitFactory, cast_of, reporting_period

pytestmark = pytest.mark.django_db

URL = "/funding/receipts/"

# (code, name, target, receipts: (date, 元)) as of 30 June 2024: ZJJ ahead of time progress
# (60%), FGW past its whole year's target (105%), MZJ with nothing yet
UNITS = [
    (
        "ZJJ",
        "市住房和城乡建设局",
        10_000_000,
        [("2024-02-10", 1_000_000), ("2024-02-20", 1_500_000), ("2024-04-01", 2_000_000),
         ("2024-05-01", 1_500_000)],
    ),
    (
        "FGW",
        "市发展和改革委员会",
        20_000_000,
        [("2024-03-05", 12_000_000), ("2024-06-10", 9_000_000)],
    ),
    ("MZJ", "市民政局", 5_000_000, []),
]  # fmt: skip


@pytest.fixture
def cast(db):
    """Three units' targets and six receipts of 2024 (see UNITS), the office and ZJJ's
    officer, by their demo usernames (not the whole demo)."""
    reporting_period(2024)
    units = {}
    for code, name, amount, receipts in UNITS:
        units[code] = UnitFactory(code=code, name=name)
        target(units[code], amount)
        for day, money in receipts:
            receipt(units[code], money, dt.date.fromisoformat(day), doc_no=f"财建〔2024〕{day}")
    return cast_of("office", "zjj", unit=units["ZJJ"])


def test_the_url_is_the_receipt_list():
    assert reverse("funding:receipt_list") == URL


def test_a_filter_narrows_the_rows_to_what_the_database_says(client, cast):
    client.force_login(cast["office"])
    zjj = Unit.objects.get(code="ZJJ")
    response = client.get(URL, {"unit": zjj.pk, "received_from": "2024-03-01"})
    expected = Receipt.objects.filter(unit=zjj, received_on__gte=dt.date(2024, 3, 1)).count()
    assert 0 < expected < Receipt.objects.count()
    assert response.context["page"].paginator.count == expected
    rows = response.context["page"].object_list
    assert all(r.unit_id == zjj.pk and r.received_on >= dt.date(2024, 3, 1) for r in rows)


def test_sorting_by_amount_descending(client, cast):
    client.force_login(cast["office"])
    rows = client.get(URL, {"sort": "-amount"}).context["page"].object_list
    amounts = [r.amount for r in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert amounts[0] == max(Receipt.objects.values_list("amount", flat=True))


def test_an_unknown_sort_falls_back_to_the_default():
    assert ordering(lists.RECEIPTS, "password")[0] == "-received_on"
    assert ordering(lists.RECEIPTS, "-amount")[1][0] == "-amount"


def test_pages_hold_fifty_rows_and_link_to_the_next(client, cast):
    channel = ChannelFactory()
    for n in range(PAGE_SIZE + 1):
        ProjectFactory(unit=cast["zjj"].membership.unit, channel=channel, requested=n * 10_000)
    client.force_login(cast["office"])
    assert Project.objects.count() > PAGE_SIZE
    page = client.get(reverse("funding:project_list"), {"sort": "requested"})
    html = page.content.decode()
    assert len(page.context["page"].object_list) == PAGE_SIZE
    assert "sort=requested&amp;page=2" in html  # the next link keeps the sort


def test_a_bad_date_keeps_what_was_typed_and_says_why(client, cast):
    client.force_login(cast["office"])
    html = client.get(URL, {"received_from": "2024-13-45", "q": "财建"}).content.decode()
    assert 'value="财建"' in html
    assert "输入一个有效的日期" in html


def test_nothing_matching_says_how_to_see_everything(client, cast):
    client.force_login(cast["office"])
    html = client.get(URL, {"q": "没有这个文号"}).content.decode()
    assert "没有符合筛选条件的记录" in html


def body(response) -> bytes:
    """An export is streamed from its file."""
    return b"".join(response.streaming_content)


def test_the_export_holds_every_filtered_row_defused_and_is_audited(client, cast):
    zjj = Unit.objects.get(code="ZJJ")
    record_receipt(
        user=cast["office"],
        unit=zjj,
        amount=1_234_500,
        received_on=dt.date(2024, 6, 1),
        doc_no="=HYPERLINK(1)",
    )
    client.force_login(cast["office"])
    events = AuditEvent.objects.filter(action="list.exported").count()
    response = client.get(URL, {"unit": zjj.pk, "export": "xlsx", "sort": "-amount"})
    assert response.status_code == 200
    assert "receipts-" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == Receipt.objects.filter(unit=zjj).count()
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(1, 3).value == "金额（万元）"
    amounts = [row[2] for row in rows]
    assert amounts == sorted(amounts, reverse=True)
    ours = next(row for row in rows if row[3] and "HYPERLINK" in row[3])
    assert ours[3] == "'=HYPERLINK(1)" and ours[2] == pytest.approx(123.45)
    event = AuditEvent.objects.filter(action="list.exported").latest("id")
    assert AuditEvent.objects.filter(action="list.exported").count() == events + 1
    assert event.after["rows"] == len(rows) and event.after["filters"]["unit"] == str(zjj.pk)


def test_a_unit_officer_sees_and_exports_only_their_unit(client, cast):
    client.force_login(cast["zjj"])
    zjj = Unit.objects.get(code="ZJJ")
    response = client.get(URL)
    assert response.context["page"].paginator.count == Receipt.objects.filter(unit=zjj).count()
    other = Unit.objects.get(code="FGW")
    response = client.get(URL, {"unit": other.pk})
    # not one of their choices: the filter says so and the list stays their own
    assert "选择一个有效的选项" in response.content.decode()
    assert {r.unit_id for r in response.context["page"].object_list} == {zjj.pk}
    sheet = openpyxl.load_workbook(io.BytesIO(body(client.get(URL, {"export": "xlsx"})))).active
    assert sheet.max_row - 1 == Receipt.objects.filter(unit=zjj).count()


def test_a_list_past_the_limit_is_never_cut_the_page_offers_the_background_export(
    client, cast, settings
):
    """Above `EXPORT_IMMEDIATE_ROWS` the page's export is a POST that starts a background
    job; a GET asking for the file writes nothing and says why (issue 21.2)."""
    settings.EXPORT_IMMEDIATE_ROWS = 5
    total = Receipt.objects.count()
    assert total > 5
    client.force_login(cast["office"])
    page = client.get(URL).content.decode()
    assert 'id="export-job"' in page and 'method="post"' in page and "export=xlsx" not in page
    events = AuditEvent.objects.filter(action="list.exported").count()
    response = client.get(URL, {"export": "xlsx", "sort": "-amount"})
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert f"{total:,}" in response.content.decode()  # says how many, and where they go
    assert AuditEvent.objects.filter(action="list.exported").count() == events


def test_a_small_list_exports_at_once(client, cast):
    client.force_login(cast["office"])
    page = client.get(URL).content.decode()
    assert 'id="export-job"' not in page and "export=xlsx" in page


def test_the_targets_export_carries_what_the_page_shows(client, cast):
    """Rate and status as on the cockpit; the page's 修改 link is not a column of the file."""
    client.force_login(cast["office"])
    page = client.get(reverse("funding:target_list")).content.decode()
    assert "完成率" in page and "超时间进度" in page and "修改" in page
    response = client.get(reverse("funding:target_list"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    header = [cell.value for cell in sheet[1]]
    assert "修改" not in header and "完成率" in header and "状态" in header
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    fgw = rows["市发展和改革委员会"]
    assert fgw[header.index("完成率")] == "105%"
    assert fgw[header.index("状态")] == "完成全年任务"
    assert rows["市民政局"][header.index("状态")] == "无实绩"
