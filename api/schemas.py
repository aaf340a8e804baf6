"""What the API reads and writes. Amounts are integer 元 (`*_yuan`) or exact 万元 (`*_wan`);
dates are ISO dates; related records are named by their codes, as in the ledger workbook."""

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict


class StrictIn(Schema):
    """A request body: a field the API does not take is refused (400 naming it), never
    silently ignored (design §10: a caller believing it set something must be told)."""

    model_config = ConfigDict(extra="forbid")


def _code(obj, name: str):
    related = getattr(obj, name)
    return related.code if related is not None else None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent: str | None = None

    @staticmethod
    def resolve_parent(obj):
        return _code(obj, "parent")


class TargetOut(Schema):
    id: int
    unit: str
    year: int
    amount_yuan: int = Field(..., description="the annual target as it now stands, in 元")
    version: int

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_amount_yuan(obj):
        return obj.amount


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    stage: str
    level: str
    channel: str | None = None
    requested_yuan: int | None = None
    applied_on: dt.date | None = None
    plan_year: int | None = None
    owner: str
    follow_up: str
    version: int

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_channel(obj):
        return obj.channel.name if obj.channel_id else None

    @staticmethod
    def resolve_requested_yuan(obj):
        return obj.requested

    @staticmethod
    def resolve_follow_up(obj):
        """The follow-up person's name (a person of the unit since the reserve pages)."""
        person = obj.follow_up
        return (person.get_full_name() or person.username) if person else ""


class ReceiptOut(Schema):
    id: int
    unit: str
    amount_yuan: int
    received_on: dt.date
    doc_no: str
    channel: str | None = None
    level: str
    project: str | None = None
    version: int

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_amount_yuan(obj):
        return obj.amount

    @staticmethod
    def resolve_channel(obj):
        return obj.channel.name if obj.channel_id else None

    @staticmethod
    def resolve_project(obj):
        return _code(obj, "project")


class ReceiptIn(StrictIn):
    """The first API's contract: amount as people write it (万元 by default, `1.2亿`,
    `12345元`) or a number of 万元; the date as `2024-06-30` or `2024年6月30日`."""

    # Both are required; they are checked by the amount and date parsers (whose messages say
    # what to write), so a missing one is answered like a malformed one.
    amount: int | float | str | None = Field(
        None, examples=["1.2亿", "3500", 80], description="required"
    )
    received_on: str | None = Field(
        None, max_length=40, examples=["2024-06-30"], description="required"
    )
    doc_no: str = Field("", max_length=100, examples=["财建〔2024〕12号"])
    unit: str | None = Field(None, max_length=32, description="unit code (office only)")
    project: str | None = Field(None, max_length=40, description="project code")
    channel: str | None = Field(None, max_length=100, description="channel name")


class ReceiptCreated(Schema):
    id: int
    created: bool
    unit: str
    amount_yuan: int


class WorkItemOut(Schema):
    id: int
    code: str
    title: str
    due_on: dt.date
    done_on: dt.date | None = None
    state: str = Field(..., description="on_track, due_soon, overdue or done (policy/states.py)")
    progress: int | None = Field(
        None, description="percent of the latest report approved by the unit head"
    )
    close_pending: bool = Field(
        False, description="the lead unit reported it done; awaiting the office (待销号)"
    )
    extension_pending: bool = Field(
        False, description="an extension request awaits the office (延期申请待审批)"
    )
    units: list[str]

    @staticmethod
    def resolve_units(obj):
        return [unit.code for unit in obj.units.all()]


class ProgressReportOut(Schema):
    id: int
    work_item: str
    unit: str
    reported_on: dt.date
    percent: int
    text: str
    problems: str
    approved: bool
    sent_back: bool = Field(False, description="sent back by the unit head (see comment)")
    comment: str = Field("", description="the unit head's comment when sending it back")

    @staticmethod
    def resolve_work_item(obj):
        return obj.work_item.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_approved(obj):
        return obj.approved_at is not None

    @staticmethod
    def resolve_sent_back(obj):
        return obj.returned_at is not None

    @staticmethod
    def resolve_comment(obj):
        return obj.return_comment


class ProgressReportIn(StrictIn):
    work_item: str = Field(..., max_length=20, description="work item code")
    reported_on: dt.date
    text: str = Field(..., min_length=1, max_length=5000)
    percent: int = Field(0, ge=0, le=100)
    problems: str = Field("", max_length=5000)
    unit: str | None = Field(None, max_length=32, description="unit code (office only)")


class GuideOut(Schema):
    id: int
    title: str
    issuer: str
    level: str
    published_on: dt.date | None = None  # unknown for some guides a ledger brought in
    deadline: dt.date | None = None
    scope: str


class ContactOut(Schema):
    id: int
    unit: str
    direction: str
    occurred_on: dt.date
    counterpart: str
    people: str
    summary: str
    project: str | None = None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_project(obj):
        return _code(obj, "project")


class ContactIn(StrictIn):
    direction: str = Field(..., max_length=10, description="out (走访) or in (邀请调研)")
    occurred_on: dt.date
    counterpart: str = Field(..., min_length=1, max_length=200)
    people: str = Field("", max_length=200)
    summary: str = Field("", max_length=5000)
    project: str | None = Field(None, max_length=40, description="project code")
    unit: str | None = Field(None, max_length=32, description="unit code (office only)")


class BulletinOut(Schema):
    id: int
    title: str
    year: int
    as_of: dt.date
    body: str
    created_at: dt.datetime


class StatusCounts(Schema):
    completed: int
    ahead: int
    behind: int
    none: int


class SummaryUnit(Schema):
    code: str
    name: str
    target_wan: float
    secured_wan: float
    completion_rate: float | None
    status: str


class DoubtfulClaim(Schema):
    doc_no: str
    units: list[str]
    amount_wan: float


class SummaryOut(Schema):
    """`luoshi summary --format json` (design §5), exactly as the same user's pages show it."""

    year: int
    as_of: dt.date
    time_progress: float
    target_wan: float
    secured_wan: float
    completion_rate: float | None
    counts: StatusCounts
    units: list[SummaryUnit]
    doubtful_claims: list[DoubtfulClaim]


class AssessmentUnit(Schema):
    code: str
    name: str
    completion_rate: float | None
    funding_score: float
    bonus: float
    items_score: float
    total: float
    rank: int
    calculation: list[str] = Field(..., description="each step with its numbers, in Chinese")
    items_due: int | None = Field(None, description="led items due by the date (default-2)")
    items_on_time: int | None = Field(None, description="of them, done by their due date")
    items_late: int | None = Field(None, description="of them, done after it (by the date)")


class AssessmentOut(Schema):
    """`luoshi assess --format json` (design §8), exactly as the assessment page shows it."""

    year: int
    as_of: dt.date
    rules_version: str
    time_progress: float | None = Field(None, description="default-2: the divisor of the rate")
    units: list[AssessmentUnit]
