"""The public REST API (django-ninja): OpenAPI 3 at /api/openapi.json, docs at /api/docs.

Reads use each model family's `visible_to(user)` and nothing else; writes call the same
services as the pages (`funding.services`, `policy.services`), so every rule and audit event is
the pages'. Figures come from `reporting.read_model.figures_for` for a period parsed by
`org.period.parse_period`. Every error is JSON: {"error": message} (see errors.py).
"""

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger
from ninja.pagination import PaginationBase, paginate

from common.dates import DateError, parse_date
from common.money import AmountError, parse_amount
from common.permissions import UNIT_ROLES, Role, role_of
from funding import services as funding_services
from funding.lists import ContactFilter, GuideFilter, ProjectFilter, ReceiptFilter, TargetFilter
from funding.models import Channel, Contact, Guide, Project, Receipt, Target
from funding.rules import FiguresEncoder
from org.lists import UnitFilter
from org.models import Unit
from org.period import FIRST_YEAR, LAST_YEAR, PeriodError, ReportingPeriod, parse_period
from policy import services as policy_services
from policy.lists import WorkItemFilter
from policy.models import ProgressReport, WorkItem
from policy.states import due_soon_horizon
from reporting.read_model import figures_for
from supervision.assessment import Rules, assess, rules_for_year
from supervision.models import AssessmentRules, Bulletin

from . import errors
from .auth import SessionAuth, TokenAuth
from .errors import ErrorOut, error_response
from .filters import apply_filters, query_schema
from .schemas import (
    AssessmentOut,
    BulletinOut,
    ContactIn,
    ContactOut,
    GuideOut,
    ProgressReportIn,
    ProgressReportOut,
    ProjectOut,
    ReceiptCreated,
    ReceiptIn,
    ReceiptOut,
    StrictIn,
    SummaryOut,
    TargetOut,
    UnitOut,
    WorkItemOut,
)


class LuoshiAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document validates (openapi-spec-validator, client generators).

    django-ninja copies a parameter's JSON Schema `examples` (a list) onto the Parameter
    Object, where OpenAPI 3.1 wants a map of Example Objects; a list there makes the whole
    document invalid and stops client generators. The list stays in the parameter's schema
    (valid JSON Schema); the parameter carries the same values as named examples."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if isinstance(parameter.get("examples"), list):
                        parameter["examples"] = {
                            str(value): {"value": value} for value in parameter["examples"]
                        }
        return schema


api = LuoshiAPI(
    title="Luoshi API",
    version="1",
    description=(
        "落实 REST API. Authenticate with `Authorization: Bearer <token>` (create one on the "
        "API tokens page) or with the browser session (writes need the X-CSRFToken header). "
        "Every list is paginated (`page`, `page_size` ≤ 200) and scoped exactly as the pages "
        'are; every error is JSON `{"error": "…"}`.'
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": True}),
    docs_url="/docs/",
    openapi_url="/openapi.json",
    parser=errors.StrictParser(),
)
errors.install(api)

# examples from the demo data, so generated tests (schemathesis) also reach records that exist
UnitCode = Annotated[str, Path(max_length=32, examples=["ZJJ", "FGW"])]
ProjectCode = Annotated[str, Path(max_length=40, examples=["XM2024-ZJJ-01", "XM2025-ZJJ-01"])]

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut}
MAX_PAGE = 100_000


class Pages(PaginationBase):
    """`page` (from 1) and `page_size` (1–200, default 50); the answer gives `count`."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list
        count: int

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": queryset.count(),
        }


class PeriodQuery(Schema):
    year: str | None = Field(None, max_length=10, examples=["2024"])
    as_of: str | None = Field(None, max_length=40, examples=["2024-06-30"])
    mode: str | None = Field(None, max_length=10, description="day or month")


def _period(period: PeriodQuery) -> ReportingPeriod:
    """The reporting period the parameters name (the office's by default), as every page
    parses it; a period that makes no sense is a 400 with its message."""
    try:
        return parse_period(period.year, period.as_of, period.mode)
    except PeriodError as exc:
        raise DjangoValidationError(str(exc)) from None


def _user_unit(request: HttpRequest, code: str | None, action: str = "change") -> Unit:
    """The unit a write is for: a unit's own people write for their unit (naming another is
    refused, never rewritten to their own: design §10); the office names it."""
    if role_of(request.auth) in UNIT_ROLES:
        own = request.auth.membership.unit
        if code and code != own.code:
            raise HttpError(
                403,
                _(
                    "You write for your own unit only (%(own)s): leave out “unit” or give "
                    "%(own)s, not %(code)s."
                )
                % {"own": own.code, "code": code},
            )
        return own
    return get_object_or_404(Unit.objects.visible_to(request.auth, action), code=code or "")


# every list's filters are its page's FilterSet (api/filters.py)
UnitQuery = query_schema(UnitFilter, "UnitQuery")
TargetQuery = query_schema(TargetFilter, "TargetQuery")
ProjectQuery = query_schema(ProjectFilter, "ProjectQuery")
ReceiptQuery = query_schema(ReceiptFilter, "ReceiptQuery")
WorkItemQuery = query_schema(WorkItemFilter, "WorkItemQuery")
GuideQuery = query_schema(GuideFilter, "GuideQuery")
ContactQuery = query_schema(ContactFilter, "ContactQuery")


# --- units, targets ------------------------------------------------------------------------


@api.get("/units/", response={200: list[UnitOut], **ERRORS}, url_name="units", tags=["org"])
@paginate(Pages)
def list_units(request, filters: Query[UnitQuery]):
    """The units the caller may see (the office: all; a leader: those overseen; a unit: its own),
    filtered as the unit list's page filters them."""
    units = Unit.objects.visible_to(request.auth).select_related("parent")
    return apply_filters(request, UnitFilter, units, filters).order_by("sort_order", "code")


@api.get("/units/{code}/", response={200: UnitOut, **ERRORS}, url_name="unit", tags=["org"])
def get_unit(request, code: UnitCode):
    return get_object_or_404(
        Unit.objects.visible_to(request.auth).select_related("parent"), code=code[:32]
    )


@api.get(
    "/targets/", response={200: list[TargetOut], **ERRORS}, url_name="targets", tags=["funding"]
)
@paginate(Pages)
def list_targets(request, filters: Query[TargetQuery]):
    targets = Target.objects.visible_to(request.auth).select_related("unit")
    return apply_filters(request, TargetFilter, targets, filters).order_by("-year", "unit__code")


# --- projects ------------------------------------------------------------------------------


@api.get(
    "/projects/", response={200: list[ProjectOut], **ERRORS}, url_name="projects", tags=["funding"]
)
@paginate(Pages)
def list_projects(request, filters: Query[ProjectQuery]):
    projects = Project.objects.visible_to(request.auth).select_related(
        "unit", "channel", "follow_up"
    )
    return apply_filters(request, ProjectFilter, projects, filters).order_by("code")


@api.get(
    "/projects/{code}/", response={200: ProjectOut, **ERRORS}, url_name="project", tags=["funding"]
)
def get_project(request, code: ProjectCode):
    return get_object_or_404(
        Project.objects.visible_to(request.auth).select_related("unit", "channel", "follow_up"),
        code=code[:40],
    )


class AdvanceIn(StrictIn):
    to_stage: str = Field(
        ...,
        max_length=20,
        description="applied, in_review, included (纳入计划), approved, funded or rejected",
    )
    version: int = Field(
        ..., ge=1, le=2**31, description="the version you read (stale edits are refused)"
    )
    note: str = Field("", max_length=300)
    plan: str = Field("", max_length=200, description="included: the plan or project library")
    batch: str = Field("", max_length=100, description="included: its batch")
    plan_amount_yuan: int | None = Field(
        None, ge=0, le=10**15, description="included: the amount in the plan, in 元"
    )


@api.post(
    "/projects/{code}/advance/",
    response={200: ProjectOut, **WRITE_ERRORS},
    url_name="project_advance",
    tags=["funding"],
)
def advance_project(request, code: ProjectCode, payload: AdvanceIn):
    """Move a project to its next stage (`funding.services.advance_project`)."""
    project = get_object_or_404(Project.objects.visible_to(request.auth, "change"), code=code[:40])
    project = funding_services.advance_project(
        user=request.auth,
        project=project,
        to_stage=payload.to_stage,
        note=payload.note,
        expected_version=payload.version,
        plan=payload.plan,
        batch=payload.batch,
        plan_amount=payload.plan_amount_yuan,
    )
    return Project.objects.select_related("unit", "channel").get(pk=project.pk)


# --- receipts ------------------------------------------------------------------------------


@api.post(
    "/receipts/",
    response={201: ReceiptCreated, 200: ReceiptCreated, **WRITE_ERRORS},
    url_name="receipt_create",
    tags=["funding"],
)
def create_receipt(request, payload: ReceiptIn):
    """Record money secured (`funding.services.record_receipt`): 201 when recorded, 200 when the
    same receipt (no 文号) was already there. A unit's people record for their own unit; the
    office names the unit by code."""
    unit = _user_unit(request, payload.unit)
    try:
        amount = parse_amount(payload.amount)
        received_on = parse_date(payload.received_on)
    except (AmountError, DateError) as exc:
        return Status(400, {"error": str(exc)})
    if not FIRST_YEAR <= received_on.year <= LAST_YEAR:
        return Status(
            400,
            {
                "error": _("The date must be between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            },
        )
    project = channel = None
    if payload.project:
        project = get_object_or_404(Project.objects.visible_to(request.auth), code=payload.project)
    if payload.channel:
        channel = get_object_or_404(Channel, name=payload.channel)
    receipt, created = funding_services.record_receipt(
        user=request.auth,
        unit=unit,
        amount=amount,
        received_on=received_on,
        doc_no=payload.doc_no[:100],
        project=project,
        channel=channel,
    )
    body = {"id": receipt.pk, "created": created, "unit": unit.code, "amount_yuan": receipt.amount}
    return Status(201 if created else 200, body)


@api.get(
    "/receipts/", response={200: list[ReceiptOut], **ERRORS}, url_name="receipts", tags=["funding"]
)
@paginate(Pages)
def list_receipts(request, filters: Query[ReceiptQuery]):
    receipts = Receipt.objects.visible_to(request.auth).select_related("unit", "channel", "project")
    receipts = apply_filters(request, ReceiptFilter, receipts, filters)
    return receipts.order_by("-received_on", "-id")


# --- work items, progress reports ----------------------------------------------------------


@api.get(
    "/work-items/",
    response={200: list[WorkItemOut], **ERRORS},
    url_name="work_items",
    tags=["policy"],
)
@paginate(Pages)
def list_work_items(request, period: Query[PeriodQuery], filters: Query[WorkItemQuery]):
    """Work items in scope with their state (policy/states.py) on the reporting period's
    as-of date, as the pages show them (the office's period unless `year`, `as_of` or `mode`
    name another), and latest progress; filtered as the work item list's page filters them."""
    chosen = _period(period)
    states = due_soon_horizon(chosen.as_of)
    items = WorkItem.objects.visible_to(request.auth).with_state(states.as_of, states.horizon)
    return (
        apply_filters(request, WorkItemFilter, items, filters)
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("code")))
        .order_by("code")
    )


@api.get(
    "/progress-reports/",
    response={200: list[ProgressReportOut], **ERRORS},
    url_name="progress_reports",
    tags=["policy"],
)
@paginate(Pages)
def list_progress_reports(request):
    return (
        ProgressReport.objects.visible_to(request.auth)
        .published_to(request.auth)
        .select_related("unit", "work_item")
        .order_by("-reported_on", "-id")
    )


@api.post(
    "/progress-reports/",
    response={201: ProgressReportOut, **WRITE_ERRORS},
    url_name="progress_report_create",
    tags=["policy"],
)
def create_progress_report(request, payload: ProgressReportIn):
    """File progress on a work item the unit is responsible for (`policy.services`)."""
    unit = _user_unit(request, payload.unit)
    item = get_object_or_404(WorkItem.objects.visible_to(request.auth), code=payload.work_item)
    _check_year(payload.reported_on)
    report = policy_services.file_progress_report(
        user=request.auth,
        work_item=item,
        unit=unit,
        reported_on=payload.reported_on,
        text=payload.text,
        percent=payload.percent,
        problems=payload.problems,
    )
    return Status(201, report)


def _check_year(date) -> None:
    from django.core.exceptions import ValidationError

    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        raise ValidationError(
            _("The date must be between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


# --- guides, contacts, bulletins -----------------------------------------------------------


@api.get("/guides/", response={200: list[GuideOut], **ERRORS}, url_name="guides", tags=["funding"])
@paginate(Pages)
def list_guides(request, filters: Query[GuideQuery]):
    guides = apply_filters(request, GuideFilter, Guide.objects.visible_to(request.auth), filters)
    return guides.order_by(F("published_on").desc(nulls_last=True), "id")


@api.get(
    "/contacts/", response={200: list[ContactOut], **ERRORS}, url_name="contacts", tags=["funding"]
)
@paginate(Pages)
def list_contacts(request, filters: Query[ContactQuery]):
    contacts = Contact.objects.visible_to(request.auth).select_related("unit", "project")
    contacts = apply_filters(request, ContactFilter, contacts, filters)
    return contacts.order_by("-occurred_on", "-id")


@api.post(
    "/contacts/",
    response={201: ContactOut, **WRITE_ERRORS},
    url_name="contact_create",
    tags=["funding"],
)
def create_contact(request, payload: ContactIn):
    """Log a liaison visit out or in (`funding.services.log_contact`)."""
    unit = _user_unit(request, payload.unit)
    project = None
    if payload.project:
        project = get_object_or_404(
            Project.objects.visible_to(request.auth).filter(unit=unit), code=payload.project
        )
    _check_year(payload.occurred_on)
    contact = funding_services.log_contact(
        user=request.auth,
        unit=unit,
        direction=payload.direction,
        occurred_on=payload.occurred_on,
        counterpart=payload.counterpart,
        people=payload.people,
        summary=payload.summary,
        project=project,
    )
    return Status(201, contact)


@api.get(
    "/bulletins/",
    response={200: list[BulletinOut], **ERRORS},
    url_name="bulletins",
    tags=["supervision"],
)
@paginate(Pages)
def list_bulletins(request):
    """Bulletins issued so far (read-only here)."""
    return Bulletin.objects.visible_to(request.auth).order_by("-as_of", "-id")


# --- summary -------------------------------------------------------------------------------


@api.get("/summary/", response={200: SummaryOut, **ERRORS}, url_name="summary", tags=["figures"])
def summary(request, period: Query[PeriodQuery]):
    """The figures of design §5 (`luoshi summary --format json`), exactly what the same user's
    pages show: the whole league for the office and leaders, a unit's own line for a unit."""
    figures = figures_for(request.auth, _period(period)).as_json()
    return JsonResponse(figures, encoder=FiguresEncoder, json_dumps_params={"ensure_ascii": False})


# --- assessment ----------------------------------------------------------------------------


class AssessmentQuery(PeriodQuery):
    rules: str | None = Field(
        None, max_length=40, description="rules version (default: the year's, else default-2)"
    )


@api.get(
    "/assessment/",
    response={200: AssessmentOut, **ERRORS},
    url_name="assessment",
    tags=["figures"],
)
def assessment(request, query: Query[AssessmentQuery]):
    """The assessment (design §8) of the period with each unit's worked calculation, as the
    office's and leaders' assessment page shows it; the rules version as there (`default-2`
    unless the year has its own or `rules` names one)."""
    if role_of(request.auth) not in (Role.OFFICE, Role.LEADER):
        raise PermissionDenied
    chosen = _period(query)
    # a version code is printable text (PostgreSQL refuses NUL in a lookup)
    code = "".join(ch for ch in (query.rules or "") if ch.isprintable()).strip()
    try:
        rules = rules_for_year(chosen.year, code or None)
    except AssessmentRules.DoesNotExist:
        return error_response(_("There is no rules version “%(code)s”.") % {"code": code}, 400)
    result = assess(chosen, Rules.of(rules)).as_json()
    return JsonResponse(result, encoder=FiguresEncoder, json_dumps_params={"ensure_ascii": False})


def not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON answer, never the HTML 404 page (401 first when
    the caller is not logged in, as for every API address)."""
    if not request.user.is_authenticated and not request.headers.get("Authorization"):
        return error_response(
            _("Log in first, or send an API token: Authorization: Bearer <token>."), 401
        )
    return error_response(_("Not found, or not yours to see."), 404)
