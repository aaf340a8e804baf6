"""Supervision pages: dispatch rounds, bulletins, the assessment and its rules (thin views:
permission, input, a service or a read, a template)."""

import io
from operator import attrgetter
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.permissions import BUSINESS_ROLES, UNIT_ROLES, Role, role_of
from common.xlsx import INT, NUMBER, PERCENT, Workbook, XlsxColumn
from funding.choices import Status
from jobs.services import start_job
from org.period import MODE_CHOICES, office_period, period_from_query
from reminders.services import topic_reach
from reporting.read_model import figures_for

from . import services
from .assessment import Rules, assess, rules_for_year
from .bulletin import bulletin_content, rank_changes
from .dispatch import known_figures, round_period
from .forms import AnswerForm, CopyRulesForm, DispatchForm, RulesForm, sane_pk
from .models import AssessmentRules, Bulletin, Dispatch, DispatchRequest

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _office(request) -> None:
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied


def _business(request) -> None:
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    ascii_name = filename.encode("ascii", "ignore").decode() or "document"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _period(request):
    period, error = period_from_query(request.GET)
    if error:
        messages.error(request, error)
    return period


# --- dispatch rounds ------------------------------------------------------------------------


@login_required
def dispatch_list(request):
    _office(request)
    rounds = Dispatch.objects.annotate(
        total=Count("requests"),
        answered=Count("requests", filter=Q(requests__reported_at__isnull=False)),
    ).select_related("leader")[:100]
    return render(request, "supervision/dispatch_list.html", {"rounds": rounds})


@login_required
def dispatch_create(request):
    _office(request)
    # the units a dispatch is for first: those behind time progress or with no result
    period = office_period()
    figures = figures_for(request.user, period)
    lagging = [u.unit_id for u in figures.units if u.status in (Status.BEHIND, Status.NONE)]
    form = DispatchForm(
        request.POST or None, initial={"units": lagging, "as_of": period.as_of.isoformat()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dispatch = services.open_dispatch(
                user=request.user,
                title=data["title"],
                meeting_on=data["meeting_on"],
                due_on=data["due_on"],
                units=list(data["units"]),
                questions=form.question_list(),
                as_of=data["as_of"],
                leader=data["leader"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Dispatch round opened."))
            return redirect("supervision:dispatch_detail", pk=dispatch.pk)
    return render(
        request,
        "supervision/dispatch_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def dispatch_detail(request, pk: int):
    _office(request)
    dispatch = get_object_or_404(Dispatch.objects.select_related("leader"), pk=pk)
    requests = list(
        dispatch.requests.select_related("unit", "reported_by").order_by("unit__sort_order")
    )
    answered = sum(1 for r in requests if r.reported_at)
    reach = topic_reach(f"dispatch:{dispatch.pk}:")
    for r in requests:
        r.reach = reach.get(r.unit_id)
    return render(
        request,
        "supervision/dispatch_detail.html",
        {
            "dispatch": dispatch,
            "requests": requests,
            "reached": sum(1 for r in requests if r.reach and r.reach.reached),
            "acknowledged": sum(1 for r in requests if r.reach and r.reach.acknowledged),
            "answered": answered,
            "pending": len(requests) - answered,
            "period": round_period(dispatch),
        },
    )


@login_required
@require_POST
def dispatch_urge(request, pk: int):
    _office(request)
    dispatch = get_object_or_404(Dispatch, pk=pk)
    urged = services.urge_dispatch(user=request.user, dispatch=dispatch)
    reached = [r for r in urged if r.reached]
    missed = [r for r in urged if not r.reached]
    if reached:
        messages.success(
            request,
            _("Urged: reached %(n)s of %(m)s units (%(names)s).")
            % {
                "n": len(reached),
                "m": len(urged),
                "names": "、".join(r.unit.name for r in reached),
            },
        )
    if missed:
        messages.error(
            request,
            _(
                "%(n)s of %(m)s units could not be reached — no person, address or robot: "
                "%(names)s. See “Could not be delivered” to fix it."
            )
            % {"n": len(missed), "m": len(urged), "names": "、".join(r.unit.name for r in missed)},
        )
    else:
        messages.info(request, _("Every unit has answered; nobody to urge."))
    return redirect("supervision:dispatch_detail", pk=dispatch.pk)


@login_required
@require_POST
def dispatch_briefing(request, pk: int):
    """Compile the round into a briefing .docx, as a background job (a province's round is
    thousands of units): the job's page follows it and gives the file."""
    _office(request)
    dispatch = get_object_or_404(Dispatch, pk=pk)
    job = start_job(
        user=request.user,
        kind="supervision.dispatch_briefing",
        title=_("Briefing of %(title)s") % {"title": dispatch.title},
        params={"dispatch": dispatch.pk},
    )
    return redirect("jobs:job_detail", pk=job.pk)


def _my_request(request, pk: int) -> DispatchRequest:
    if role_of(request.user) not in UNIT_ROLES:
        raise PermissionDenied
    return get_object_or_404(
        DispatchRequest.objects.visible_to(request.user, "change").select_related(
            "dispatch", "unit"
        ),
        pk=pk,
    )


@login_required
def dispatch_answer(request, pk: int):
    """A unit answers its round: the figures Luoshi knows are shown, not asked."""
    dispatch_request = _my_request(request, pk)
    dispatch = dispatch_request.dispatch
    period = round_period(dispatch)
    known = known_figures([dispatch_request.unit_id], period)[dispatch_request.unit_id]
    previous = [a.get("answer", "") for a in dispatch_request.answers]
    form = AnswerForm(
        request.POST or None,
        questions=dispatch.questions,
        initial_answers=previous,
        initial={"report": dispatch_request.report, "version": dispatch_request.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_dispatch(
                user=request.user,
                request=dispatch_request,
                answers=form.answers(),
                report=form.cleaned_data["report"],
                known=known,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your answers were sent to the office."))
            return redirect("dashboard:workbench")
    return render(
        request,
        "supervision/dispatch_answer.html",
        {"item": dispatch_request, "dispatch": dispatch, "known": known, "form": form},
        status=400 if form.errors else 200,
    )


# --- bulletins --------------------------------------------------------------------------------


@login_required
def bulletin_list(request):
    _business(request)
    bulletins = Bulletin.objects.visible_to(request.user).defer("docx", "pdf", "figures")[:100]
    period = _period(request)
    return render(
        request,
        "supervision/bulletin_list.html",
        {
            "bulletins": bulletins,
            "period": period,
            "year": period.year,
            "as_of": period.as_of,
            "modes": MODE_CHOICES,
            "is_office": role_of(request.user) == Role.OFFICE,
        },
    )


def _chart(content: dict) -> str:
    """The document's completion-rate chart, inline (base64 PNG), drawn from its figures."""
    import base64

    from .documents import rate_chart
    from .province import distribution_chart

    progress = float(content["time_progress"].rstrip("%"))
    if content.get("province"):  # a fixed-size chart of bands, not 3,000 bars
        png = distribution_chart(content["province"], progress, "各任务部门完成率分布与时间进度")
    else:
        png = rate_chart(content["league"], progress, "各任务部门完成率与时间进度")
    return base64.b64encode(png).decode()


@login_required
def bulletin_preview(request):
    """The draft of a period's bulletin, as the document will say it (nothing stored)."""
    _office(request)
    period = _period(request)
    content = bulletin_content(period)
    previous = (
        Bulletin.objects.filter(year=period.year, as_of__lte=period.as_of)
        .defer("docx", "pdf")
        .order_by("-as_of", "-number")
        .first()
    )
    return render(
        request,
        "supervision/bulletin_preview.html",
        {
            "content": content,
            "period": period,
            "year": period.year,
            "as_of": period.as_of,
            "modes": MODE_CHOICES,
            "changes": rank_changes(content, previous.figures if previous else None),
            "previous": previous,
            "chart": _chart(content),
            "drafts": [("docx", _("Draft (.docx)")), ("pdf", _("Draft (.pdf)"))],
        },
    )


def _period_params(period) -> dict:
    return {"year": period.year, "as_of": period.as_of.isoformat(), "mode": period.mode}


@login_required
@require_POST
def bulletin_draft(request, fmt: str):
    """Make the draft (.docx or .pdf) of a period's bulletin, not issued, as a background job
    (a province's PDF takes minutes): the job's page shows its progress and gives the file."""
    _office(request)
    if fmt not in ("docx", "pdf"):
        raise Http404
    period, error = period_from_query(request.POST)
    if error:
        messages.error(request, error)
        return redirect("supervision:bulletin_preview")
    job = start_job(
        user=request.user,
        kind="supervision.bulletin_draft",
        title=_("Draft bulletin as of %(date)s (.%(fmt)s)")
        % {"date": period.as_of.isoformat(), "fmt": fmt},
        params={**_period_params(period), "fmt": fmt},
    )
    return redirect("jobs:job_detail", pk=job.pk)


@login_required
@require_POST
def bulletin_issue(request):
    """Issue a period's bulletin as a background job; when it is done its page opens it."""
    _office(request)
    period, error = period_from_query(request.POST)
    if error:
        messages.error(request, error)
        return redirect("supervision:bulletin_list")
    job = start_job(
        user=request.user,
        kind="supervision.bulletin_issue",
        title=_("Issue the bulletin as of %(date)s") % {"date": period.as_of.isoformat()},
        params=_period_params(period),
    )
    return redirect("jobs:job_detail", pk=job.pk)


@login_required
def bulletin_detail(request, pk: int):
    _business(request)
    bulletin = get_object_or_404(
        Bulletin.objects.visible_to(request.user).defer("docx", "pdf"), pk=pk
    )
    previous = (
        Bulletin.objects.filter(year=bulletin.year)
        .filter(Q(as_of__lt=bulletin.as_of) | Q(as_of=bulletin.as_of, number__lt=bulletin.number))
        .defer("docx", "pdf")
        .order_by("-as_of", "-number")
        .first()
    )
    return render(
        request,
        "supervision/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "content": bulletin.figures,
            "previous": previous,
            "changes": rank_changes(bulletin.figures, previous.figures if previous else None),
            "chart": _chart(bulletin.figures),
            "is_office": role_of(request.user) == Role.OFFICE,
        },
    )


@login_required
def bulletin_download(request, pk: int, fmt: str):
    _business(request)
    if fmt not in ("docx", "pdf"):
        raise Http404
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
    content = bytes(bulletin.docx if fmt == "docx" else bulletin.pdf)
    if not content:
        raise Http404
    services.record_download(user=request.user, name="bulletin", what=f"{bulletin.title}.{fmt}")
    return _attachment(
        content, DOCX if fmt == "docx" else "application/pdf", f"{bulletin.title}.{fmt}"
    )


# --- assessment ---------------------------------------------------------------------------


def _assessment(request):
    if role_of(request.user) not in (Role.OFFICE, Role.LEADER):
        raise PermissionDenied
    period = _period(request)
    # a version code is printable text (PostgreSQL refuses NUL in a lookup)
    code = "".join(ch for ch in (request.GET.get("rules") or "")[:40] if ch.isprintable()).strip()
    try:
        rules = rules_for_year(period.year, code or None)
    except AssessmentRules.DoesNotExist:
        messages.error(request, _("There is no rules version “%(code)s”.") % {"code": code})
        rules = rules_for_year(period.year)
    return period, rules, assess(period, Rules.of(rules))


@login_required
def assessment(request):
    period, rules, result = _assessment(request)
    return render(
        request,
        "supervision/assessment.html",
        {
            "period": period,
            "year": period.year,
            "as_of": period.as_of,
            "modes": MODE_CHOICES,
            "rules": rules,
            "all_rules": AssessmentRules.objects.order_by("-year", "code"),
            "result": result,
        },
    )


def _assessment_columns(rules_code: str) -> list[XlsxColumn]:
    """The assessment workbook's columns; every row carries the rules version."""
    top = {"valign": "top"}
    return [
        XlsxColumn("名次", attrgetter("rank"), INT, 6),
        XlsxColumn("单位编码", attrgetter("code"), width=10),
        XlsxColumn("任务部门", attrgetter("name"), width=26),
        XlsxColumn("完成率", attrgetter("rate"), PERCENT, 11, "0.00%"),
        XlsxColumn("资金得分", attrgetter("funding_score"), NUMBER, 11, "0.00", top),
        XlsxColumn("超额奖励", attrgetter("bonus"), NUMBER, 11, "0.00", top),
        XlsxColumn("事项得分", attrgetter("items_score"), NUMBER, 11, "0.00", top),
        XlsxColumn("总分", attrgetter("total"), NUMBER, 11, "0.00", top),
        XlsxColumn("规则版本", lambda unit: rules_code, width=11),
        XlsxColumn(
            "计算过程",
            lambda unit: "\n".join(unit.calculation),
            width=90,
            style={"text_wrap": True, "valign": "top"},
        ),
    ]


@login_required
def assessment_export(request):
    period, rules, result = _assessment(request)
    title = (
        f"{period.year}年度对上争取考核（截至{period.as_of.isoformat()}，"
        f"规则版本{result.rules.code}）"
    )
    buffer = io.BytesIO()
    with Workbook(buffer) as book:
        sheet = book.sheet("考核结果", _assessment_columns(result.rules.code), title=title)
        sheet.write_rows(result.units)
    services.record_download(
        user=request.user,
        name="assessment",
        what=f"{period.year}-{result.rules.code}",
        rows=len(result.units),
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _attachment(buffer.getvalue(), XLSX, f"考核结果-{period.year}-{stamp}.xlsx")


# --- assessment rules -----------------------------------------------------------------------


@login_required
def rules_list(request):
    _office(request)
    form = CopyRulesForm(request.POST or None)
    if request.method == "POST":
        chosen = request.POST.get("source", "")
        source = get_object_or_404(AssessmentRules, pk=chosen if sane_pk(chosen) else 0)
        if form.is_valid():
            try:
                copy = services.copy_rules(
                    user=request.user,
                    source=source,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    year=form.cleaned_data["year"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Copied as %(code)s; now edit the copy.") % {"code": copy.code}
                )
                return redirect("supervision:rules_edit", pk=copy.pk)
    return render(
        request,
        "supervision/rules_list.html",
        {"rules": AssessmentRules.objects.select_related("based_on"), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def rules_edit(request, pk: int):
    _office(request)
    rules = get_object_or_404(AssessmentRules, pk=pk)
    form = RulesForm(request.POST or None, instance=rules, initial={"version": rules.version})
    if request.method == "POST" and not rules.locked and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.edit_rules(
                user=request.user,
                rules=rules,
                values=values,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Rules saved."))
            return redirect("supervision:rules_list")
    elif request.method == "POST" and rules.locked:
        form.add_error(
            None,
            _("The version %(code)s is locked: a published result uses it. Copy it instead.")
            % {"code": rules.code},
        )
    rules.refresh_from_db()
    return render(
        request,
        "supervision/rules_edit.html",
        {"rules": rules, "form": form},
        status=400 if form.errors else 200,
    )
