"""The cockpit's league table as an Excel workbook: what the page shows, to paste into a report."""

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.lists import ListSpec
from common.percent import PROGRESS_PLACES, percent_value
from common.xlsx import INT, MONEY, PERCENT, Workbook, XlsxColumn
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
WAN = "#,##0.00"  # 万元 to the 百元, as the cockpit shows them


def league_workbook(rows: list[dict], summary: Summary, period: ReportingPeriod) -> bytes:
    """One sheet: a title line with the period and time progress, then one row per unit in
    the page's order (rank, code, unit, county, target, secured, rate, status, gap)."""
    columns = [
        XlsxColumn(_("Rank"), lambda r: r["rank"], INT, 6),
        XlsxColumn(_("Unit code"), lambda r: r["u"].code, width=14),
        XlsxColumn(_("Unit"), lambda r: r["u"].name, width=30),
        XlsxColumn(_("County or district"), lambda r: r.get("parent_name") or "", width=16),
        XlsxColumn(_("Target (万元)"), lambda r: r["u"].target, MONEY, 14, WAN),
        XlsxColumn(_("Secured (万元)"), lambda r: r["u"].secured, MONEY, 14, WAN),
        XlsxColumn(_("Completion rate"), lambda r: r["u"].rate, PERCENT, 12),
        XlsxColumn(_("Status"), lambda r: str(r["u"].status.label), width=14),
        XlsxColumn(
            _("Gap to time progress (万元)"),
            lambda r: r["u"].gap_to_progress or None,
            MONEY,
            18,
            WAN,
        ),
    ]
    title = _("League table as of %(date)s; time progress %(progress).1f%%") % {
        "date": period.as_of.isoformat(),
        # rounded half up by the one formatter, as the cockpit shows it
        "progress": percent_value(summary.progress, PROGRESS_PLACES),
    }
    buffer = io.BytesIO()
    with Workbook(buffer) as book:
        sheet = book.sheet(str(COCKPIT_EXPORT.title), columns, title=title)
        sheet.write_rows({**row, "rank": n} for n, row in enumerate(rows, start=1))
    return buffer.getvalue()
