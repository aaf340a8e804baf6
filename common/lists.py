"""Lists: filter (django-filter), sort, paginate, and export what you see to Excel.

A list page is a `ListSpec` (its columns and filters) rendered over a queryset the caller has
already scoped with `visible_to`; the export writes the same filtered, sorted rows, every page
of them (a background job above `export_limit()` rows), and is recorded in the audit trail.
"""

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from . import xlsx
from .money import format_wan
from .validation import harden_form, parse_page
from .xlsx import XlsxColumn

TEXT, MONEY, DATE, NUMBER = "text", "money", "date", "number"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation
    value: Callable[[Any], Any]
    sort: str = ""  # the ORM ordering of this column; empty: not sortable
    kind: str = TEXT
    link: Callable[[Any], str] | None = None
    aria: Callable[[Any], str] | None = None  # the link's accessible name, when the text is vague
    width: int = 14  # in the Excel export, in characters
    export: bool = True  # False: a page-only column (an action link), not in the workbook


@dataclass(frozen=True)
class ListSpec:
    name: str  # for the export's file name and audit record, e.g. "receipts"
    title: Any
    columns: list[Column]
    filterset: type
    default_sort: str  # a column key, "-" in front for descending
    empty: Any  # what to do when there is nothing at all yet
    related: list[str] = field(default_factory=list)  # select_related for the rows
    prefetch: list = field(default_factory=list)  # prefetch_related for the rows
    # called with the rows about to be shown (None: every row, for the export) before their
    # cells are read: a list that shows figures fetches those of these rows only
    prepare: Callable[[list | None], None] | None = None


def choice_label(model, name: str) -> Callable[[Any], Any]:
    """A column's value: the label of a choices field as `get_<name>_display()` gives it, from
    a dict made once per language (Django's rebuilds the choices for every row, and each
    lazy label is translated again: a third of a page)."""
    choices = model._meta.get_field(name).flatchoices
    by_language: dict[str, dict] = {}

    def label(row):
        language = get_language()
        labels = by_language.get(language)
        if labels is None:
            labels = by_language[language] = {value: str(text) for value, text in choices}
        value = getattr(row, name)
        return labels.get(value, value)

    return label


def link_to(view: str, attribute: str = "pk") -> Callable[[Any], str]:
    """A column's link: the URL of `view` for the row's `attribute` (an id; none when it is
    empty), reversed once per URL prefix rather than for every row."""
    marker = 987654321
    by_prefix: dict[str, str] = {}

    def link(row) -> str:
        value = getattr(row, attribute)
        if not value:
            return ""
        prefix = get_script_prefix()
        pattern = by_prefix.get(prefix)
        if pattern is None:
            pattern = by_prefix[prefix] = reverse(view, args=[marker]).replace(str(marker), "{}")
        return pattern.format(int(value))

    return link


def _year_filters(filters) -> list[str]:
    """Filters that compare a year (`received_on__year`, a `year` column): 2000–2100."""
    return [
        name
        for name, item in filters.filters.items()
        if getattr(item, "lookup_expr", "") in ("year", "iso_year")
        or str(getattr(item, "field_name", "")).split("__")[-1].endswith("year")
    ]


def bind_filters(filterset: type, data, queryset: QuerySet, request) -> Any:
    """A list's FilterSet bound to `data` over `queryset` (scoped already), every value
    bounded in one place (years 2000–2100, dates in the window, integers): the page, its
    export and its API endpoint filter through this one definition. `request` gives the user
    (units offered are those they may see)."""
    filters = filterset(data or None, queryset=queryset, request=request)
    harden_form(filters.form, years=_year_filters(filters))
    return filters


def display(column: Column, row) -> str:
    """A cell as the page shows it: 万元 with thousands separators, ISO dates."""
    value = column.value(row)
    if value is None or value == "":
        return ""
    if column.kind == MONEY:
        return format_wan(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


CELL_CLASSES = {MONEY: ' class="num"', NUMBER: ' class="num"', DATE: ' class="date"'}


def cell_html(column: Column, row) -> str:
    """A row's cell of the page's table, as HTML (escaped). Written here rather than in the
    template: a page of 50 rows rendered cell by cell in the template cost most of the page."""
    text = display(column, row)
    link = column.link(row) if column.link else ""
    if not link:
        inner = escape(text)
    else:
        aria = column.aria(row) if column.aria else ""
        inner = format_html(
            '<a href="{}"{}>{}</a>',
            link,
            format_html(' aria-label="{}"', aria) if aria else "",
            text or "—",
        )
    return f"<td{CELL_CLASSES.get(column.kind, '')}>{inner}</td>"


def ordering(spec: ListSpec, requested: str) -> tuple[str, list[str]]:
    """The sort key the page uses (a sortable column, else the default) and its ORM ordering."""
    by_key = {c.key: c for c in spec.columns if c.sort}
    key = requested if requested.lstrip("-") in by_key else spec.default_sort
    sort = by_key[key.lstrip("-")].sort
    descending = key.startswith("-")
    # ties broken by id in the same direction, so that one index (column, id) serves the sort
    # both ways on a million rows (a mixed direction would sort them all)
    tie = "-pk" if descending else "pk"
    return key, [("-" if descending else "") + part for part in sort.split(",")] + [tie]


def headers(spec: ListSpec, sort: str) -> list[dict]:
    """Column headers with the sort value a click asks for and the current direction."""
    out = []
    for column in spec.columns:
        state = ""
        if column.sort and sort.lstrip("-") == column.key:
            state = "descending" if sort.startswith("-") else "ascending"
        next_sort = f"-{column.key}" if state == "ascending" else column.key
        out.append(
            {
                "label": column.label,
                "kind": column.kind,
                "sort": next_sort if column.sort else "",
                "state": state,
            }
        )
    return out


def export_limit() -> int:
    """Rows an export writes during the request; a longer list is written by a background job
    (`LUOSHI_EXPORT_IMMEDIATE_ROWS`, 100,000 by default)."""
    return settings.EXPORT_IMMEDIATE_ROWS


#: starts a list's export as a background job: `(request, spec) -> response` (the job's page).
#: Set by the jobs app, which this low module does not import; None: no background exports.
background_export: Callable[[HttpRequest, ListSpec], HttpResponse] | None = None


@dataclass
class ListExport:
    """A background job's request for a whole list: `render_list` writes every filtered row to
    `path` instead of rendering the page, reporting `progress(done, total, step)`."""

    path: str
    progress: Callable[[int, int, str], None]
    rows: int = 0
    total: int = 0


def render_list(
    request: HttpRequest, spec: ListSpec, queryset: QuerySet, context: dict | None = None
) -> HttpResponse:
    filters = bind_filters(spec.filterset, request.GET, queryset, request)
    sort, order_by = ordering(spec, str(request.GET.get("sort", "")))
    rows = (
        filters.qs.select_related(*spec.related)
        .prefetch_related(*spec.prefetch)
        .order_by(*order_by)
    )
    job: ListExport | None = getattr(request, "list_export", None)
    if job is not None:  # a background job runs this view for its owner
        if filters.form.errors:
            raise ExportRefused(_("The filters of this export are no longer valid."))
        return _export_to_file(request, spec, rows, job)
    context = dict(context or {})
    # an export of what a refused filter would have left out is not what was asked for
    wants = request.GET.get("export") == "xlsx" or (
        request.method == "POST" and request.POST.get("export") == "job"
    )
    if wants and not filters.form.errors:
        total = rows.count()
        if total <= export_limit() and request.method != "POST":
            return export_response(request, spec, rows, total)
        if request.method == "POST" and background_export is not None:
            return background_export(request, spec)
        context["notice"] = too_long_message(total)
    page = Paginator(rows, PAGE_SIZE).get_page(parse_page(request.GET.get("page", "")))
    if spec.prepare is not None:
        spec.prepare(list(page.object_list))
    table = [
        mark_safe("".join(cell_html(column, row) for column in spec.columns))  # noqa: S308
        for row in page.object_list
    ]
    filtered = any(value for key, value in request.GET.items() if key not in ("sort", "page"))
    count = page.paginator.count
    return render(
        request,
        "common/list.html",
        {
            "spec": spec,
            "filters": filters,
            "filtered": filtered,
            "headers": headers(spec, sort),
            "page": page,
            "table": table,
            # above the limit the export is a background job (a POST: a GET starts no work)
            "export_in_background": count > export_limit() and background_export is not None,
            "export_limit": f"{export_limit():,}",
            **context,
        },
    )


class ExportRefused(Exception):
    """A background export that cannot run (its message is for the job's owner)."""


def export_columns(spec: ListSpec) -> list[XlsxColumn]:
    """The workbook's columns: the page's, less its action links; money in 万元."""
    kinds = {MONEY: xlsx.MONEY, DATE: xlsx.DATE, NUMBER: xlsx.NUMBER}
    return [
        XlsxColumn(
            str(column.label) + (_("（万元）") if column.kind == MONEY else ""),
            column.value,
            kinds.get(column.kind, xlsx.TEXT),
            column.width,
        )
        for column in spec.columns
        if column.export
    ]


def write_workbook(
    spec: ListSpec,
    rows: QuerySet,
    target: str,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Every row as one sheet (frozen header, widths, 万元 and date formats), streamed to
    `target` (a million-row list costs no more memory than a small one). Returns the count."""
    with xlsx.Workbook(target) as book:
        sheet = book.sheet(str(spec.title), export_columns(spec))
        return sheet.write_rows(rows.iterator(chunk_size=2000), progress=progress)


def too_long_message(total: int) -> str:
    return _(
        "This list has %(total)s rows: an export of more than %(limit)s rows is written in "
        "the background. Press “Export to Excel” and follow it on its page."
    ) % {"total": f"{total:,}", "limit": f"{export_limit():,}"}


#: sent after a list is written to a workbook; the audit trail records it (audit.apps), so
#: common never imports the apps above it
list_exported = Signal()


def _export_filters(request: HttpRequest) -> dict:
    return {k: v for k, v in request.GET.items() if k not in ("export", "page") and v}


def export_response(
    request: HttpRequest, spec: ListSpec, rows: QuerySet, total: int
) -> HttpResponse:
    if spec.prepare is not None:
        spec.prepare(None)
    handle = tempfile.NamedTemporaryFile(prefix="luoshi-export-", suffix=".xlsx", delete=False)
    handle.close()
    count = write_workbook(spec, rows, handle.name)
    list_exported.send(
        ListSpec,
        request=request,
        spec=spec,
        rows=count,
        filters={**_export_filters(request), "of": total},
    )
    file = open(handle.name, "rb")  # noqa: SIM115  (FileResponse closes it)
    os.unlink(handle.name)  # the open handle keeps the file until the response is sent
    response = FileResponse(
        file,
        as_attachment=True,
        filename=export_filename(spec),
        content_type=xlsx.XLSX_TYPE,
    )
    response["X-Export-Rows"] = str(count)
    response["X-Export-Total"] = str(total)
    # tells the page's progress line (luoshi/export.js) that the download has started
    response.set_cookie(
        "luoshi_export_done", "1", max_age=120, samesite="Lax", secure=request.is_secure()
    )
    return response


def export_filename(spec: ListSpec) -> str:
    return f"{spec.name}-{timezone.localdate().strftime('%Y%m%d')}.xlsx"


def _export_to_file(
    request: HttpRequest, spec: ListSpec, rows: QuerySet, job: ListExport
) -> HttpResponse:
    """A background job's export: every row, however many, with its progress."""
    job.total = rows.count()
    step = _("Writing the rows")
    job.progress(0, job.total, step)
    if spec.prepare is not None:
        spec.prepare(None)
    job.rows = write_workbook(
        spec, rows, job.path, progress=lambda done: job.progress(done, job.total, step)
    )
    list_exported.send(
        ListSpec,
        request=request,
        spec=spec,
        rows=job.rows,
        filters={**_export_filters(request), "of": job.total},
    )
    return HttpResponse(status=204)


# --- Filters every list uses ---


def search_filter(*fields: str, label=None) -> django_filters.CharFilter:
    """A free-text box: every word must match one of `fields` (icontains)."""

    def search(queryset, _name, value):
        for word in value.split():
            condition = Q()
            for name in fields:
                condition |= Q(**{f"{name}__icontains": word})
            queryset = queryset.filter(condition)
        return queryset

    return django_filters.CharFilter(
        method=search,
        label=label or gettext_lazy("Search"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


def date_filter(field_name: str, lookup: str, label) -> django_filters.DateFilter:
    """A date bound (`gte` from, `lte` to) with the browser's date picker."""
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
