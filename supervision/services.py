"""All writes of supervision: dispatch rounds, bulletins and assessment rules (audited)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from common.permissions import Role, role_of
from common.services import require
from org.models import SiteConfig, Unit
from org.period import ReportingPeriod
from org.services import ensure_unit_access
from reminders.services import acknowledge_topic, notify

from .models import AssessmentRules, Bulletin, Dispatch, DispatchRequest

MAX_QUESTIONS = 20
MAX_ANSWER = 4000


def _require_office(user) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)


# --- dispatch rounds (调度) ---------------------------------------------------------------


def clean_questions(questions: list[str]) -> list[str]:
    cleaned = [q.strip()[:300] for q in questions if q and q.strip()]
    if not cleaned:
        raise ValidationError(_("Ask at least one question."))
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError(_("At most %(n)s questions in one round.") % {"n": MAX_QUESTIONS})
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def open_dispatch(
    *,
    user,
    title: str,
    meeting_on: dt.date,
    due_on: dt.date,
    units: list[Unit],
    questions: list[str],
    as_of: dt.date | None = None,
    leader=None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Dispatch:
    """The office opens a round: which units answer which questions by when. Each unit is
    told (a reminder it acknowledges, 签收); `at` is when (default now)."""
    _require_office(user)
    if not title.strip():
        raise ValidationError(_("Give the round a title."))
    if due_on > meeting_on:
        raise ValidationError(_("Reports must be due on or before the meeting."))
    if not units:
        raise ValidationError(_("Choose at least one unit."))
    dispatch = Dispatch.objects.create(
        title=title.strip(),
        meeting_on=meeting_on,
        due_on=due_on,
        questions=clean_questions(questions),
        as_of=as_of,
        leader=leader,
        note=note,
        opened_at=at or timezone.now(),
        created_by=user,
    )
    DispatchRequest.objects.bulk_create(
        [DispatchRequest(dispatch=dispatch, unit=unit) for unit in units]
    )
    record(
        "supervision.dispatch.opened",
        dispatch,
        after={**snapshot(dispatch), "units": sorted(u.code for u in units)},
        user=user,
    )
    for unit in units:
        notify(
            unit,
            subject=_("Dispatch round “%(title)s”: please answer by %(due)s")
            % {"title": dispatch.title, "due": dispatch.due_on.isoformat()},
            body=_(
                "The supervision office asks %(unit)s to answer the round's questions on the "
                "workbench by %(due)s, for the meeting of %(meeting)s."
            )
            % {
                "unit": unit.name,
                "due": dispatch.due_on.isoformat(),
                "meeting": dispatch.meeting_on.isoformat(),
            },
            key=f"dispatch:{dispatch.pk}:open",
            url=reverse("dashboard:workbench"),
            actor=user,
            due_on=dispatch.due_on,
            source="dispatch",
            as_of=timezone.localtime(dispatch.opened_at).date(),
        )
    return dispatch


@transaction.atomic
def answer_dispatch(
    *,
    user,
    request: DispatchRequest,
    answers: list[str],
    report: str = "",
    known: dict | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> DispatchRequest:
    """A unit answers its round once per question (最多报一次: the figures Luoshi knows are in
    `known`, filled in by the system, never typed by the unit). A unit may correct its
    answers until the meeting, from the version it read; each change is audited."""
    ensure_unit_access(user, request.unit_id)
    request = (
        DispatchRequest.objects.select_for_update().select_related("dispatch").get(pk=request.pk)
    )
    check_version(request, expected_version)
    questions = request.dispatch.questions
    if len(answers) != len(questions):
        raise ValidationError(_("Answer every question of the round."))
    cleaned = [a.strip() for a in answers]
    if any(not a for a in cleaned):
        raise ValidationError(_("Answer every question of the round."))
    if any(len(a) > MAX_ANSWER for a in cleaned) or len(report) > MAX_ANSWER:
        raise ValidationError(_("An answer may be at most %(n)s characters.") % {"n": MAX_ANSWER})
    before = snapshot(request)
    request.answers = [
        {"question": q, "answer": a} for q, a in zip(questions, cleaned, strict=True)
    ]
    request.report = report.strip()
    request.known = known or {}
    request.reported_at = at or timezone.now()
    request.reported_by = user
    request.version += 1
    request.save()
    record(
        "supervision.dispatch.answered",
        request,
        before=before,
        after=snapshot(request),
        user=user,
    )
    # answering is proof the round was seen: its reminders count as acknowledged (签收)
    acknowledge_topic(
        user=user,
        unit=request.unit,
        prefix=f"dispatch:{request.dispatch_id}:",
        at=request.reported_at,
    )
    return request


@transaction.atomic
def urge_dispatch(
    *, user, dispatch: Dispatch, at: dt.datetime | None = None
) -> list[DispatchRequest]:
    """Urge every unit of the round that has not answered: when and who is recorded (and
    audited) on each request. Returns the requests urged, each with `reached` (whether the
    urging went to anyone)."""
    _require_office(user)
    now = at or timezone.now()
    pending = list(
        DispatchRequest.objects.select_for_update()
        .filter(dispatch=dispatch, reported_at__isnull=True)
        .select_related("unit")
    )
    for request in pending:
        request.urged_at = now
        request.urge_count += 1
        request.save(update_fields=["urged_at", "urge_count"])
        record(
            "supervision.dispatch.urged",
            request,
            after={"unit": request.unit.code, "urge_count": request.urge_count, "at": now},
            user=user,
        )
        reminder = notify(
            request.unit,
            subject=_("Please answer the dispatch round “%(title)s”") % {"title": dispatch.title},
            body=_("Answer on your workbench by %(due)s.") % {"due": dispatch.due_on.isoformat()},
            key=f"dispatch:{dispatch.pk}:urge:{request.urge_count}",
            url=reverse("dashboard:workbench"),
            actor=user,
            due_on=dispatch.due_on,
            source="dispatch",
            as_of=timezone.localtime(now).date(),
        )
        # reached: someone of the unit, or its robot, has it (no person, no robot: nobody)
        request.reached = reminder is not None and reminder.deliveries.exists()
    return pending


@transaction.atomic
def mark_dispatch_compiled(*, user, dispatch: Dispatch) -> Dispatch:
    """The office compiled the round into a briefing (the document is built on demand)."""
    _require_office(user)
    dispatch.compiled_at = timezone.now()
    dispatch.save(update_fields=["compiled_at"])
    record("supervision.dispatch.compiled", dispatch, after={"at": dispatch.compiled_at}, user=user)
    return dispatch


# --- bulletins (通报) ---------------------------------------------------------------------


def government_name() -> str:
    return SiteConfig.objects.order_by("pk").values_list("name", flat=True).first() or ""


def next_bulletin_number(year: int) -> int:
    """The number (期号) the next bulletin of `year` is issued under."""
    last = Bulletin.objects.filter(year=year).aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


def _no_progress(done: int, total: int, label: str) -> None:
    pass


def build_bulletin(
    period: ReportingPeriod,
    *,
    number: int | None = None,
    pdf: bool = True,
    progress: Callable[[int, int, str], None] = _no_progress,
):
    """(content, docx bytes, pdf bytes or b"") of a bulletin of `period`; writes nothing.
    Without `number` it is a draft: 第N期（征求意见稿）, N the number issuing it would take.
    The one path to a bulletin: issuing, the `bulletin` command and the draft job take it
    (`progress(done, total, label)` tells the job's page each step)."""
    from .bulletin import bulletin_content
    from .documents import docx_to_pdf, render_bulletin_docx

    steps = 3 if pdf else 2
    progress(0, steps, "汇总数据")
    content = bulletin_content(period)
    draft = number is None
    if draft:
        number = next_bulletin_number(period.year)
    progress(1, steps, "生成Word文档")
    docx = render_bulletin_docx(content, government=government_name(), number=number, draft=draft)
    if not pdf:
        return content, docx, b""
    progress(2, steps, "LibreOffice生成PDF")
    return content, docx, docx_to_pdf(docx)


@transaction.atomic
def issue_bulletin(*, user, period: ReportingPeriod, at: dt.datetime | None = None) -> Bulletin:
    """Issue (freeze) the bulletin of `period`: the .docx, the .pdf and the figures they were
    built from are stored and never change afterwards. Each issue gets the next number of
    its year. Raises `documents.RenderError` when the PDF cannot be produced (nothing is
    stored then)."""
    _require_office(user)
    # one issuer at a time per year, so two clicks cannot take the same number
    last = (
        Bulletin.objects.select_for_update()
        .filter(year=period.year)
        .aggregate(last=Max("number"))["last"]
        or 0
    )
    number = last + 1
    content, docx, pdf = build_bulletin(period, number=number)
    rules_version = (content.get("assessment") or {}).get("rules_version", "")
    bulletin = Bulletin.objects.create(
        title=f"{period.year}年第{number}期对上争取工作通报（截至{content['date_text']}）",
        year=period.year,
        as_of=period.as_of,
        mode=period.mode,
        number=number,
        body=content["sentence"],
        figures=content,
        docx=docx,
        pdf=pdf,
        rules_version=rules_version,
        created_at=at or timezone.now(),
        created_by=user,
    )
    if rules_version:
        AssessmentRules.objects.filter(code=rules_version).update(locked=True)
    record(
        "supervision.bulletin.issued",
        bulletin,
        after={
            "year": bulletin.year,
            "as_of": bulletin.as_of,
            "number": number,
            "sentence": bulletin.body,
            "docx_bytes": len(docx),
            "pdf_bytes": len(pdf),
            "rules_version": rules_version,
        },
        user=user,
    )
    return bulletin


def record_download(*, user, name: str, what: str, rows: int = 0) -> None:
    """A document taken out of the system (a bulletin, a briefing, the assessment workbook)
    is audited like any export."""
    record(
        "list.exported",
        None,
        after={"list": name, "rows": rows, "filters": {"document": what}},
        user=user,
        object_type="list",
        object_repr=what[:300],
    )


# --- assessment rules (考核规则) ----------------------------------------------------------

RULE_FIELDS = [
    "funding_weight",
    "items_weight",
    "bonus_step_percent",
    "bonus_per_step",
    "bonus_cap",
]


def _check_rule_numbers(values: dict) -> None:
    for name in ("funding_weight", "items_weight", "bonus_per_step", "bonus_cap"):
        value = Decimal(values[name])
        if value < 0 or value > 1000:
            raise ValidationError(_("Points must be between 0 and 1000."))
    if not 1 <= int(values["bonus_step_percent"]) <= 100:
        raise ValidationError(_("The bonus step must be between 1 and 100 percentage points."))


@transaction.atomic
def seed_default_rules(*, user=None) -> AssessmentRules:
    """`default-1` and `default-2` (design §8), as the migrations seed them, for a database
    emptied since; returns the default (`default-2`)."""
    _require_office(user)
    from .assessment import DEFAULT_CODE, DEFAULT_RULES

    for code, values in DEFAULT_RULES.items():
        if AssessmentRules.objects.filter(code=code).exists():
            continue
        rules = AssessmentRules.objects.create(**values, created_at=timezone.now())
        record("supervision.rules.seeded", rules, after=snapshot(rules), user=user)
    return AssessmentRules.objects.get(code=DEFAULT_CODE)


@transaction.atomic
def copy_rules(*, user, source: AssessmentRules, code: str, name: str, year: int | None):
    """The office copies a rules version (to edit the copy for a year)."""
    _require_office(user)
    code = code.strip()
    if not code or len(code) > 40:
        raise ValidationError(_("Give the new version a code of at most 40 characters."))
    if AssessmentRules.objects.filter(code=code).exists():
        raise ValidationError(_("The version %(code)s exists already.") % {"code": code})
    copy = AssessmentRules.objects.create(
        code=code,
        name=name.strip() or code,
        year=year,
        based_on=source if source.pk else None,
        # a copy scores the way its source does (default-1's or default-2's method)
        method=source.method,
        note=source.note,
        created_at=timezone.now(),
        **{f: getattr(source, f) for f in RULE_FIELDS},
    )
    record(
        "supervision.rules.copied", copy, after={**snapshot(copy), "from": source.code}, user=user
    )
    return copy


@transaction.atomic
def edit_rules(*, user, rules: AssessmentRules, values: dict, expected_version: int | None):
    """Edit a copy's weights, bonus step and cap. `default-1` and versions a published result
    used are locked."""
    _require_office(user)
    rules = AssessmentRules.objects.select_for_update().get(pk=rules.pk)
    if rules.locked:
        raise ValidationError(
            _("The version %(code)s is locked: a published result uses it. Copy it instead.")
            % {"code": rules.code}
        )
    check_version(rules, expected_version)
    _check_rule_numbers(values)
    before = snapshot(rules)
    for name in RULE_FIELDS:
        setattr(rules, name, values[name])
    for name in ("name", "note", "year"):
        if name in values:
            setattr(rules, name, values[name])
    rules.version += 1
    rules.save()
    changed_before, changed_after = {}, {}
    after = snapshot(rules)
    for key, value in after.items():
        if before.get(key) != value:
            changed_before[key], changed_after[key] = before.get(key), value
    record("supervision.rules.edited", rules, before=changed_before, after=changed_after, user=user)
    return rules
