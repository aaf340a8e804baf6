"""The cockpit's league table as an Excel workbook: what the page shows, to paste into a report."""

import io

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.lists import ListSpec
from common.percent import PROGRESS_PLACES, percent_value
from common.spreadsheets import neutralise
from funding.rules import Summary
from org.period import ReportingPeriod

#: names the export in the audit trail (`list.exported`), like the lists' exports
COCKPIT_EXPORT = ListSpec(
    name="league",
    title=gettext_lazy("League table of task departments"),
    columns=[],
    filterset=None,
    default_sort="",
    empty="",
)


def league_workbook(rows: list[dict], summary: Summary, period: ReportingPeriod) -> bytes:
    """One sheet: a title line with the period and time progress, then one row per unit in
    the page's order (rank, code, unit, county, target, secured, rate, status, gap)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(str(COCKPIT_EXPORT.title)[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    title = book.add_format({"bold": True, "font_size": 13})
    wan = book.add_format({"num_format": "#,##0.00"})
    percent = book.add_format({"num_format": "0.0%"})
    sheet.write_string(
        0,
        0,
        _("League table as of %(date)s; time progress %(progress).1f%%")
        % {
            "date": period.as_of.isoformat(),
            # rounded half up by the one formatter, as the cockpit shows it
            "progress": percent_value(summary.progress, PROGRESS_PLACES),
        },
        title,
    )
    headers = [
        (_("Rank"), 6),
        (_("Unit code"), 14),
        (_("Unit"), 30),
        (_("County or district"), 16),
        (_("Target (万元)"), 14),
        (_("Secured (万元)"), 14),
        (_("Completion rate"), 12),
        (_("Status"), 14),
        (_("Gap to time progress (万元)"), 18),
    ]
    for index, (label, width) in enumerate(headers):
        sheet.write_string(1, index, label, bold)
        sheet.set_column(index, index, width)
    sheet.freeze_panes(2, 0)
    for n, row in enumerate(rows, start=1):
        u = row["u"]
        line = n + 1
        sheet.write_number(line, 0, n)
        sheet.write_string(line, 1, neutralise(u.code))
        sheet.write_string(line, 2, neutralise(u.name))
        sheet.write_string(line, 3, neutralise(row.get("parent_name") or ""))
        sheet.write_number(line, 4, u.target / 10_000, wan)
        sheet.write_number(line, 5, u.secured / 10_000, wan)
        if u.rate is not None:
            sheet.write_number(line, 6, float(u.rate), percent)
        sheet.write_string(line, 7, str(u.status.label))
        if u.gap_to_progress:
            sheet.write_number(line, 8, u.gap_to_progress / 10_000, wan)
    book.close()
    return buffer.getvalue()
