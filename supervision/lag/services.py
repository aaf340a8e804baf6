"""Lag explanations (原因分析与整改措施): asked, filed, signed off or sent back. All writes.

Who is asked comes from the one read model (`reporting.read_model.figures_for`: a task department
behind time progress or with no result) and from the one work-item rule (`policy.states`: a
unit leading an item that is overdue on the as-of date).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record, snapshot
from audit.versions import check_version
from common.percent import PROGRESS_PLACES, RATE_PLACES, percent_value
from common.permissions import UNIT_ROLES, Role, role_of, unit_id_of
from common.services import require
from funding.choices import Status
from org.models import Leader, Unit
from org.period import ReportingPeriod
from policy.models import AssignmentRole, WorkItem
from policy.services import add_measure_milestone
from policy.states import OVERDUE, due_soon_horizon
from reporting.read_model import SYSTEM, figures_for

from ..models import LagExplanation, LagMeasure

MAX_MEASURES = 10


def lagging_units(period: ReportingPeriod) -> dict[int, list[str]]:
    """Units to be asked on `period.as_of`, each with the grounds in words (stored in Chinese,
    the language of the record, whatever the language of the page that asked)."""
    with translation.override("zh-hans"):
        return _lagging_units(period)


def _lagging_units(period: ReportingPeriod) -> dict[int, list[str]]:
    grounds: dict[int, list[str]] = {}
    figures = figures_for(SYSTEM, period)
    for line in figures.units:
        if line.status == Status.BEHIND:
            grounds.setdefault(line.unit_id, []).append(
                _("Completion rate %(rate)s%% is below time progress %(progress)s%%.")
                % {
                    # as the cockpit shows them: the rate whole, time progress to 0.1
                    "rate": percent_value(line.rate, RATE_PLACES),
                    "progress": percent_value(period.progress, PROGRESS_PLACES),
                }
            )
        elif line.status == Status.NONE:
            grounds.setdefault(line.unit_id, []).append(_("No funds secured yet this year."))
    states = due_soon_horizon(period.as_of)
    overdue = (
        WorkItem.objects.with_state(states.as_of, states.horizon)
        .filter(state=OVERDUE, assignments__role=AssignmentRole.LEAD)
        .values_list("assignments__unit_id", "code")
        .order_by("code")
    )
    by_unit: dict[int, list[str]] = {}
    for unit_id, code in overdue:
        by_unit.setdefault(unit_id, []).append(code)
    for unit_id, codes in by_unit.items():
        grounds.setdefault(unit_id, []).append(
            _("Overdue work items it leads: %(codes)s.") % {"codes": "、".join(codes)}
        )
    return grounds


def lagging_units_on(as_of: dt.date) -> dict[int, list[str]]:
    """`lagging_units` for the period ending `as_of` (the office's time-progress mode)."""
    from org.period import office_period

    return lagging_units(ReportingPeriod(as_of.year, as_of, office_period().mode))


@transaction.atomic
def ask_unit(*, user, unit: Unit, as_of: dt.date, grounds: list[str]) -> LagExplanation:
    """Ask one unit for causes and measures as of `as_of` (the office, or the system)."""
    if user is not None:
        require(role_of(user) == Role.OFFICE)
    if LagExplanation.objects.filter(unit=unit, as_of=as_of).exists():
        raise ValidationError(_("This unit has already been asked for this date."))
    explanation = LagExplanation.objects.create(
        unit=unit, year=as_of.year, as_of=as_of, grounds=grounds, requested_at=timezone.now()
    )
    record(
        "supervision.lag_explanation.requested", explanation, after=snapshot(explanation), user=user
    )
    return explanation


@transaction.atomic
def request_lag_explanations(*, user, period: ReportingPeriod) -> list[LagExplanation]:
    """The office asks every lagging unit for causes and measures as of `period.as_of`.

    A unit already asked for that date is not asked twice."""
    if user is not None:
        require(role_of(user) == Role.OFFICE)
    asked = set(LagExplanation.objects.filter(as_of=period.as_of).values_list("unit_id", flat=True))
    grounds = lagging_units(period)
    units = Unit.objects.in_bulk([pk for pk in grounds if pk not in asked])
    return [
        ask_unit(user=user, unit=units[pk], as_of=period.as_of, grounds=reasons)
        for pk, reasons in grounds.items()
        if pk in units
    ]


def can_file(user, explanation: LagExplanation) -> bool:
    return (
        role_of(user) in UNIT_ROLES
        and unit_id_of(user) == explanation.unit_id
        and explanation.status in (LagExplanation.Status.REQUESTED, LagExplanation.Status.SENT_BACK)
    )


def overseeing_leader(user, explanation: LagExplanation) -> Leader | None:
    """The user's leader record when they oversee the explanation's unit, else None."""
    if role_of(user) != Role.LEADER:
        return None
    leader = getattr(user, "leader", None)
    if leader is None or not leader.oversees.filter(pk=explanation.unit_id).exists():
        return None
    return leader


def _deciding_leader(user, explanation: LagExplanation, leader: Leader | None) -> Leader:
    if user is None:
        if leader is None or not leader.oversees.filter(pk=explanation.unit_id).exists():
            raise ValidationError(_("Only the unit's overseeing leader decides."))
        return leader
    found = overseeing_leader(user, explanation)
    require(found is not None)
    return found


def can_decide(user, explanation: LagExplanation) -> bool:
    return (
        explanation.status == LagExplanation.Status.FILED
        and overseeing_leader(user, explanation) is not None
    )


def _check_measures(measures: list[tuple[str, dt.date]], as_of: dt.date) -> list:
    rows = [(text.strip(), due_on) for text, due_on in measures if text.strip()]
    if not rows:
        raise ValidationError(_("Enter at least one measure with its date."))
    if len(rows) > MAX_MEASURES:
        raise ValidationError(_("At most %(n)s measures.") % {"n": MAX_MEASURES})
    for text, due_on in rows:
        if due_on is None:
            raise ValidationError(_("Measure “%(text)s” needs a date.") % {"text": text})
        if due_on <= as_of:
            raise ValidationError(
                _("Measure “%(text)s”: its date must be after %(as_of)s.")
                % {"text": text, "as_of": as_of.isoformat()}
            )
        if len(text) > 200:
            raise ValidationError(_("A measure is at most 200 characters."))
    return rows


@transaction.atomic
def file_lag_explanation(
    *,
    user,
    explanation: LagExplanation,
    causes: str,
    measures: list[tuple[str, dt.date]],
    expected_version: int | None = None,
) -> LagExplanation:
    """The unit files its causes and dated measures; its overseeing leader decides next."""
    explanation = LagExplanation.objects.select_for_update().get(pk=explanation.pk)
    if user is not None:
        require(role_of(user) in UNIT_ROLES and unit_id_of(user) == explanation.unit_id)
    check_version(explanation, expected_version)
    if explanation.status not in (
        LagExplanation.Status.REQUESTED,
        LagExplanation.Status.SENT_BACK,
    ):
        raise ValidationError(_("This explanation has been filed already."))
    causes = (causes or "").strip()
    if not causes:
        raise ValidationError(_("Describe the causes."))
    rows = _check_measures(measures, explanation.as_of)
    before = snapshot(explanation)
    explanation.measure_rows.all().delete()
    LagMeasure.objects.bulk_create(
        LagMeasure(explanation=explanation, position=n, text=text, due_on=due_on)
        for n, (text, due_on) in enumerate(rows, start=1)
    )
    explanation.causes = causes
    explanation.measures = "\n".join(f"{due:%Y-%m-%d} {text}" for text, due in rows)
    explanation.status = LagExplanation.Status.FILED
    explanation.filed_at, explanation.filed_by = timezone.now(), user
    explanation.version += 1
    explanation.save()
    record(
        "supervision.lag_explanation.filed",
        explanation,
        before=before,
        after=snapshot(explanation),
        user=user,
    )
    return explanation


@transaction.atomic
def sign_off_lag_explanation(
    *,
    user,
    explanation: LagExplanation,
    comment: str = "",
    expected_version: int | None = None,
    leader: Leader | None = None,
) -> LagExplanation:
    """The overseeing leader signs off: each measure becomes a milestone of the unit.

    `leader` is for the system actor only (user None: the demo, a migration of records)."""
    explanation = LagExplanation.objects.select_for_update().get(pk=explanation.pk)
    leader = _deciding_leader(user, explanation, leader)
    check_version(explanation, expected_version)
    if explanation.status != LagExplanation.Status.FILED:
        raise ValidationError(_("Only a filed explanation can be signed off."))
    before = snapshot(explanation)
    unit = Unit.objects.get(pk=explanation.unit_id)
    for measure in explanation.measure_rows.order_by("position"):
        measure.milestone = add_measure_milestone(
            user=user, unit=unit, title=measure.text, due_on=measure.due_on
        )
        measure.save(update_fields=["milestone"])
    explanation.status = LagExplanation.Status.SIGNED_OFF
    explanation.leader_comment = (comment or "").strip()
    explanation.signed_off_by, explanation.signed_off_at = leader, timezone.now()
    explanation.version += 1
    explanation.save()
    record(
        "supervision.lag_explanation.signed_off",
        explanation,
        before=before,
        after=snapshot(explanation),
        user=user,
    )
    return explanation


@transaction.atomic
def send_back_lag_explanation(
    *,
    user,
    explanation: LagExplanation,
    comment: str,
    expected_version: int | None = None,
    leader: Leader | None = None,
) -> LagExplanation:
    """The overseeing leader sends the explanation back with a comment; the unit files again."""
    explanation = LagExplanation.objects.select_for_update().get(pk=explanation.pk)
    _deciding_leader(user, explanation, leader)
    check_version(explanation, expected_version)
    if explanation.status != LagExplanation.Status.FILED:
        raise ValidationError(_("Only a filed explanation can be sent back."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what is missing when sending an explanation back."))
    before = snapshot(explanation)
    explanation.status = LagExplanation.Status.SENT_BACK
    explanation.leader_comment = comment
    explanation.version += 1
    explanation.save()
    record(
        "supervision.lag_explanation.sent_back",
        explanation,
        before=before,
        after=snapshot(explanation),
        user=user,
    )
    return explanation
