"""Where reminders come from: each source is a plain function `source(context) -> Iterable[Notice]`.

`SOURCES` lists them in the order `luoshi remind` runs them; to urge about something new, write
a function that yields `Notice`s and append it. A notice's key (subject + recipient + due date
+ stage) decides whether it was sent already, so a source simply proposes everything that is
due on `context.as_of` and the run sends only what is new.

- `work_items`: items not done, due within the office's due-soon window or overdue → each
  responsible unit (lead and co-units);
- `milestones`: milestones not done, due soon or overdue → the item's lead unit;
- `guides`: application guides whose deadline is within the window → every unit concerned
  (again in the last `GUIDE_LAST_DAYS` working days);
- `escalations`: an overdue item or milestone whose unit was urged and has given no update
  (progress report, milestone change) for `escalate_after` working days → the unit head; after
  as many more silent working days → the overseeing leader(s);
- `unacknowledged`: a reminder that reached someone and was not acknowledged (签收) within
  `ack_after` working days (`LUOSHI_REMIND_ACK_WORKDAYS`) → the unit head, or the overseeing
  leader(s) for a head's (escalated like silence);
- `silent_projects`: a submitted project (申报) with no contact and no stage change for
  `project_silent_after` working days → the overseeing leader(s).

A leader without an account is reached through the supervision office (the notice names them).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from common.dates import WorkCalendar, format_date_zh
from funding.choices import Stage
from funding.models import Contact, Guide, Project, ProjectStageChange
from org.calendar import load_calendar
from org.models import Leader, Unit
from policy.models import Assignment, AssignmentRole, Milestone, ProgressReport, WorkItem
from policy.states import (
    DUE_SOON,
    OVERDUE,
    PRESSING,
    due_soon_horizon,
    state_expression,
    work_item_state,
)
from policy.team import people_to_remind

from .models import Delivery, DeliveryStatus, Reminder
from .notices import Notice, office_users, unit_heads

ESCALATE_HEAD = "escalate_head"
ESCALATE_LEADER = "escalate_leader"
LAST_DAYS = "last_days"
SILENT = "silent"
GUIDE_LAST_DAYS = 3


@dataclass
class RunContext:
    """What every source needs: the day, the due-soon horizon, the calendar and the settings."""

    as_of: dt.date
    horizon: dt.date
    calendar: WorkCalendar
    escalate_after: int
    project_silent_after: int
    ack_after: int = 2
    warning: str | None = None

    @classmethod
    def for_date(cls, as_of: dt.date) -> "RunContext":
        calendar = load_calendar(as_of.year - 1, as_of.year + 1)
        horizon = due_soon_horizon(as_of, calendar=calendar)
        return cls(
            as_of=as_of,
            horizon=horizon.horizon,
            calendar=calendar,
            escalate_after=settings.LUOSHI_REMIND_ESCALATE_WORKDAYS,
            project_silent_after=settings.LUOSHI_REMIND_PROJECT_SILENT_WORKDAYS,
            ack_after=settings.LUOSHI_REMIND_ACK_WORKDAYS,
            warning=horizon.warning,
        )

    def workdays(self, start: dt.date, end: dt.date) -> int:
        return self.calendar.workdays_between(start, end)

    def state(self, due_on: dt.date, done_on: dt.date | None = None) -> str:
        """The state of an item (or time node) on the run's day: the one rule of states.py."""
        return work_item_state(due_on, done_on, self.as_of, self.horizon)

    def pressing(self, queryset: QuerySet) -> QuerySet:
        """The items (or time nodes) of `queryset` that are due soon or overdue on the run's
        day, each annotated with its `state`: the one rule of states.py, in SQL."""
        state = state_expression(self.as_of, self.horizon)
        return queryset.annotate(state=state).filter(state__in=PRESSING)


def _short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _item_url(item_id: int) -> str:
    return reverse("policy:workitem_detail", kwargs={"pk": item_id})


def _due_phrase(context: RunContext, due_on: dt.date) -> str:
    if due_on < context.as_of:
        return _("it was due on %(due)s and is %(days)d working days overdue") % {
            "due": format_date_zh(due_on),
            "days": context.workdays(due_on, context.as_of),
        }
    if due_on == context.as_of:
        return _("it is due today, %(due)s") % {"due": format_date_zh(due_on)}
    return _("it is due on %(due)s, %(days)d working days from now") % {
        "due": format_date_zh(due_on),
        "days": context.workdays(context.as_of, due_on),
    }


def work_items(context: RunContext) -> Iterable[Notice]:
    items = context.pressing(WorkItem.objects.all()).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("pk"))
    )
    for item in items.order_by("due_on", "pk"):
        stage = item.state
        subject = (
            _("Work item %(code)s is overdue: %(title)s")
            if stage == OVERDUE
            else _("Work item %(code)s is due soon: %(title)s")
        ) % {"code": item.code, "title": _short(item.title)}
        for assignment in item.assignments.all():
            body = _(
                "%(unit)s (%(role)s) — work item %(code)s “%(title)s”: %(due)s. Please push it "
                "forward and report progress in Luoshi."
            ) % {
                "unit": assignment.unit.name,
                "role": assignment.get_role_display(),
                "code": item.code,
                "title": item.title,
                "due": _due_phrase(context, item.due_on),
            }
            # the unit's team for the item (一套班子) when it named one, else the unit
            for recipient in people_to_remind(item, assignment.unit) or [assignment.unit]:
                yield Notice(
                    recipient=recipient,
                    unit=assignment.unit,
                    subject=subject,
                    body=body,
                    topic=f"workitem:{item.pk}",
                    stage=stage,
                    source="work_item",
                    due_on=item.due_on,
                    url=_item_url(item.pk),
                )


def _lead_units(item: WorkItem) -> list[Unit]:
    assignments = list(item.assignments.all())
    lead = [a.unit for a in assignments if a.role == AssignmentRole.LEAD]
    return lead or [a.unit for a in assignments]


def milestones(context: RunContext) -> Iterable[Notice]:
    steps = (
        context.pressing(Milestone.objects.all())
        .filter(work_item__isnull=False, work_item__done_on__isnull=True)
        .select_related("work_item")
        .prefetch_related(
            Prefetch(
                "work_item__assignments",
                queryset=Assignment.objects.select_related("unit").order_by("pk"),
            )
        )
        .order_by("due_on", "pk")
    )
    for step in steps:
        item = step.work_item
        stage = step.state
        subject = (
            _("Milestone overdue: %(title)s (%(code)s)")
            if stage == OVERDUE
            else _("Milestone due soon: %(title)s (%(code)s)")
        ) % {"code": item.code, "title": _short(step.title)}
        for unit in _lead_units(item):
            body = _(
                "%(unit)s — milestone “%(title)s” of work item %(code)s “%(item)s”: %(due)s. "
                "Please complete it (or reschedule it with a reason) and report progress."
            ) % {
                "unit": unit.name,
                "title": step.title,
                "code": item.code,
                "item": _short(item.title, 60),
                "due": _due_phrase(context, step.due_on),
            }
            for recipient in people_to_remind(item, unit) or [unit]:  # its team, else the unit
                yield Notice(
                    recipient=recipient,
                    unit=unit,
                    subject=subject,
                    body=body,
                    topic=f"milestone:{step.pk}",
                    stage=stage,
                    source="milestone",
                    due_on=step.due_on,
                    url=_item_url(item.pk),
                )
    yield from _corrective_measures(context)


def _corrective_measures(context: RunContext) -> Iterable[Notice]:
    """A lag explanation's measures, signed off by the leader, are time nodes of the unit with
    no work item: the unit is urged like for any node (topic "measure:", no escalation)."""
    measures = (
        context.pressing(Milestone.objects.all())
        .filter(work_item__isnull=True, unit__isnull=False)
        .select_related("unit")
        .order_by("due_on", "pk")
    )
    for step in measures:
        stage = step.state
        subject = (
            _("Corrective measure overdue: %(title)s")
            if stage == OVERDUE
            else _("Corrective measure due soon: %(title)s")
        ) % {"title": _short(step.title)}
        body = _(
            "%(unit)s — corrective measure “%(title)s” signed off by your leader: %(due)s. "
            "Please complete it (or reschedule it with a reason) on its page."
        ) % {
            "unit": step.unit.name,
            "title": step.title,
            "due": _due_phrase(context, step.due_on),
        }
        yield Notice(
            recipient=step.unit,
            unit=step.unit,
            subject=subject,
            body=body,
            topic=f"measure:{step.pk}",
            stage=stage,
            source="milestone",
            due_on=step.due_on,
            url=reverse("policy:milestone_detail", kwargs={"pk": step.pk}),
        )


def guides(context: RunContext) -> Iterable[Notice]:
    published = (
        Guide.objects.filter(deadline__gte=context.as_of, deadline__lte=context.horizon)
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("sort_order", "code")))
        .order_by("deadline", "pk")
    )
    for guide in published:
        left = context.workdays(context.as_of, guide.deadline)
        stage = LAST_DAYS if left <= GUIDE_LAST_DAYS else DUE_SOON
        subject = _("Application guide closes %(due)s: %(title)s") % {
            "due": format_date_zh(guide.deadline),
            "title": _short(guide.title),
        }
        for unit in guide.units.all():
            if guide.deadline == context.as_of:
                text = _(
                    "%(unit)s — the application guide “%(title)s” (%(issuer)s) closes today, "
                    "%(due)s. Make sure the application is submitted."
                )
            else:
                text = _(
                    "%(unit)s — the application guide “%(title)s” (%(issuer)s) closes on "
                    "%(due)s, %(days)d working days from now. Check your reserve projects "
                    "against it and complete the application materials in time."
                )
            body = text % {
                "unit": unit.name,
                "title": guide.title,
                "issuer": guide.issuer,
                "due": format_date_zh(guide.deadline),
                "days": left,
            }
            yield Notice(
                recipient=unit,
                unit=unit,
                subject=subject,
                body=body,
                topic=f"guide:{guide.pk}",
                stage=stage,
                source="guide",
                due_on=guide.deadline,
                url=reverse("funding:guide_detail", kwargs={"pk": guide.pk}),
            )


# --- escalation ----------------------------------------------------------------------------


def _leader_notices(
    unit: Unit, *, subject: str, body: str, topic: str, due_on, source: str, url: str
) -> Iterable[Notice]:
    """The unit's overseeing leaders, each in person, or through the office when a leader has
    no account (or the unit has no overseeing leader)."""
    leaders = list(
        Leader.objects.filter(oversees=unit).select_related("user").order_by("sort_order", "pk")
    )
    for leader in leaders or [None]:
        user = leader.user if leader is not None else None
        if user is not None and user.is_active:
            yield Notice(
                recipient=user,
                unit=unit,
                subject=subject,
                body=body,
                topic=topic,
                stage=ESCALATE_LEADER,
                source=source,
                due_on=due_on,
                url=url,
            )
            continue
        relay = (
            _("For leader %(leader)s, who has no account in Luoshi: please pass this on.")
            % {"leader": leader.name}
            if leader is not None
            else _("%(unit)s has no overseeing leader recorded: please follow it up.")
            % {"unit": unit.name}
        )
        for office in office_users():
            yield Notice(
                recipient=office,
                unit=unit,
                subject=subject,
                body=f"{body}\n{relay}",
                topic=topic,
                stage=f"{ESCALATE_LEADER}:{leader.pk if leader else 0}",
                source=source,
                due_on=due_on,
                url=url,
            )


def _last_updates(context: RunContext, item_ids: set[int]) -> dict[tuple[str, int | None], dt.date]:
    """When each (work item, unit) last had an update on or before the as-of date: a progress
    report of the unit; and (unit None) a change of one of the item's milestones, from the
    audit trail (whoever made it)."""
    updates: dict[tuple[str, int | None], dt.date] = {}
    reports = (
        ProgressReport.objects.filter(work_item_id__in=item_ids, reported_on__lte=context.as_of)
        .values("work_item_id", "unit_id")
        .annotate(last=Max("reported_on"))
    )
    for row in reports:
        updates[(f"workitem:{row['work_item_id']}", row["unit_id"])] = row["last"]
    step_items = dict(
        Milestone.objects.filter(work_item_id__in=item_ids).values_list("pk", "work_item_id")
    )
    end = timezone.make_aware(dt.datetime.combine(context.as_of + dt.timedelta(days=1), dt.time()))
    changes = (
        AuditEvent.objects.filter(
            object_type="policy.milestone",
            object_id__in=[str(pk) for pk in step_items],
            at__lt=end,
        )
        .values("object_id")
        .annotate(last=Max("at"))
    )
    for row in changes:
        on = timezone.localtime(row["last"]).date()
        step_key = (f"milestone:{row['object_id']}", None)
        updates[step_key] = max(on, updates.get(step_key, on))
        item_key = (f"workitem:{step_items[int(row['object_id'])]}", None)
        updates[item_key] = max(on, updates.get(item_key, on))
    return updates


def _updates_of(
    updates: dict[tuple[str, int | None], dt.date], topic: str, item_id: int, unit_id: int
) -> list[dt.date]:
    """The last updates (`_last_updates`) that answer a reminder about `topic` to a unit: the
    unit's on the subject or on its work item, or anyone's change of the subject."""
    found = [
        updates.get((topic, unit_id)),
        updates.get((f"workitem:{item_id}", unit_id)),
        updates.get((topic, None)),
    ]
    return [day for day in found if day is not None]


def escalations(context: RunContext) -> Iterable[Notice]:
    urged = list(
        Reminder.objects.filter(
            source__in=["work_item", "milestone"],
            stage=OVERDUE,
            recipient_unit__isnull=False,
            as_of__lte=context.as_of,
        )
        .select_related("recipient_unit")
        .order_by("as_of", "pk")
    )
    if not urged:
        return
    item_ids = {int(r.topic.split(":")[1]) for r in urged if r.topic.startswith("workitem:")}
    step_ids = {int(r.topic.split(":")[1]) for r in urged if r.topic.startswith("milestone:")}
    open_items = {
        pk: (due_on, code, title)
        for pk, due_on, code, title in WorkItem.objects.filter(
            pk__in=item_ids, done_on__isnull=True
        ).values_list("pk", "due_on", "code", "title")
    }
    open_steps = {
        pk: (due_on, item_id, code, title)
        for pk, due_on, item_id, code, title in Milestone.objects.filter(
            pk__in=step_ids, done_on__isnull=True, work_item__done_on__isnull=True
        ).values_list("pk", "due_on", "work_item_id", "work_item__code", "title")
    }
    updates = _last_updates(context, item_ids | {v[1] for v in open_steps.values()})
    heads_urged: dict[tuple[str, int, dt.date], dt.date] = {}
    for topic, unit_id, due_on, as_of in Reminder.objects.filter(
        stage=ESCALATE_HEAD, topic__in={r.topic for r in urged}, as_of__lte=context.as_of
    ).values_list("topic", "unit_id", "due_on", "as_of"):
        key = (topic, unit_id, due_on)
        heads_urged[key] = min(as_of, heads_urged.get(key, as_of))
    for reminder in urged:
        kind, number = reminder.topic.split(":")
        pk = int(number)
        unit = reminder.recipient_unit
        if kind == "workitem":
            if pk not in open_items:
                continue
            due_on, code, title = open_items[pk]
            item_id, what = (
                pk,
                _("work item %(code)s “%(title)s”")
                % {
                    "code": code,
                    "title": _short(title, 60),
                },
            )
        else:
            if pk not in open_steps:
                continue
            due_on, item_id, code, title = open_steps[pk]
            what = _("milestone “%(title)s” of work item %(code)s") % {
                "title": _short(title, 60),
                "code": code,
            }
        if due_on != reminder.due_on:
            continue  # rescheduled since: the new date has its own reminders
        if context.state(due_on) != OVERDUE:
            continue  # not overdue on the run's day (a run for an earlier date)
        last_update = max(_updates_of(updates, reminder.topic, item_id, unit.pk), default=None)
        head_urged = heads_urged.get((reminder.topic, unit.pk, due_on))
        since = max(d for d in (reminder.as_of, head_urged, last_update) if d is not None)
        silent = context.workdays(since, context.as_of)
        if silent < context.escalate_after:
            continue
        facts = {
            "unit": unit.name,
            "what": what,
            "due": format_date_zh(due_on),
            "since": format_date_zh(since),
            "days": silent,
        }
        body = (
            _(
                "%(unit)s — %(what)s was due on %(due)s and is still not done; nothing has "
                "been reported since %(since)s (%(days)d working days). Please see that it is "
                "carried out."
            )
            % facts
        )
        url = _item_url(item_id)
        if head_urged is None:
            subject = _("Escalated to the unit head: %(unit)s, %(what)s") % facts
            heads = unit_heads(unit)
            for recipient in heads or [unit]:
                yield Notice(
                    recipient=recipient,
                    unit=unit,
                    subject=subject[:200],
                    body=body,
                    topic=reminder.topic,
                    stage=ESCALATE_HEAD,
                    source="escalation",
                    due_on=due_on,
                    url=url,
                )
        else:
            subject = _("Escalated to the overseeing leader: %(unit)s, %(what)s") % facts
            yield from _leader_notices(
                unit,
                subject=subject[:200],
                body=body,
                topic=reminder.topic,
                due_on=due_on,
                source="escalation",
                url=url,
            )


def silent_projects(context: RunContext) -> Iterable[Notice]:
    last_change = (
        ProjectStageChange.objects.filter(project=OuterRef("pk"), changed_on__lte=context.as_of)
        .order_by("-changed_on")
        .values("changed_on")[:1]
    )
    last_contact = (
        Contact.objects.filter(project=OuterRef("pk"), occurred_on__lte=context.as_of)
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )
    projects = (
        Project.objects.filter(stage=Stage.APPLIED)
        .annotate(last_change=Subquery(last_change), last_contact=Subquery(last_contact))
        .select_related("unit")
        .order_by("code")
    )
    for project in projects:
        dates = [d for d in (project.applied_on, project.last_change, project.last_contact) if d]
        dates = [d for d in dates if d <= context.as_of]
        if not dates:
            continue
        since = max(dates)
        silent = context.workdays(since, context.as_of)
        if silent < context.project_silent_after:
            continue
        facts = {
            "unit": project.unit.name,
            "code": project.code,
            "name": _short(project.name, 60),
            "since": format_date_zh(since),
            "days": silent,
        }
        yield from _leader_notices(
            project.unit,
            subject=(_("Submitted project without follow-up: %(code)s %(name)s") % facts)[:200],
            body=_(
                "%(unit)s — project %(code)s “%(name)s” was submitted and has had no contact "
                "with the higher level and no change of stage since %(since)s (%(days)d working "
                "days). Please step in to follow it up."
            )
            % facts,
            topic=f"project:{project.pk}",
            due_on=since,
            source="project",
            url=reverse("funding:project_detail", kwargs={"pk": project.pk}),
        )


# --- not acknowledged (签收) ----------------------------------------------------------------

# An unacknowledged reminder older than this is not escalated any more: it was overtaken.
ACK_LOOKBACK = dt.timedelta(days=60)


def _still_open(reminders: list[Reminder], as_of: dt.date) -> set[int]:
    """The reminders whose subject is still open on `as_of` (item, time node not done; guide
    not closed); other subjects count as open."""
    ids = {"workitem": set(), "milestone": set(), "measure": set(), "guide": set()}
    for r in reminders:
        kind, _sep, rest = r.topic.partition(":")
        number = rest.split(":")[0]
        if kind in ids and number.isascii() and number.isdigit():
            ids[kind].add(int(number))
    open_ids = {
        "workitem": set(
            WorkItem.objects.filter(pk__in=ids["workitem"], done_on__isnull=True).values_list(
                "pk", flat=True
            )
        ),
        "milestone": set(
            Milestone.objects.filter(
                pk__in=ids["milestone"] | ids["measure"], done_on__isnull=True
            ).values_list("pk", flat=True)
        ),
        "guide": set(
            Guide.objects.filter(pk__in=ids["guide"], deadline__gte=as_of).values_list(
                "pk", flat=True
            )
        ),
    }
    open_ids["measure"] = open_ids["milestone"]
    still = set()
    for r in reminders:
        kind, _sep, rest = r.topic.partition(":")
        if kind not in ids:
            still.add(r.pk)
        else:
            number = rest.split(":")[0]
            if number.isascii() and number.isdigit() and int(number) in open_ids[kind]:
                still.add(r.pk)
    return still


def unacknowledged(context: RunContext) -> Iterable[Notice]:
    """A reminder that reached someone and was not acknowledged (签收) within
    `ack_after` working days is escalated like silence: a unit's → its head (or, with no
    head, the overseeing leader); a head's → the overseeing leader. Same key as the silence
    escalation of the same subject, so each step happens once."""
    reached = Delivery.objects.filter(reminder=OuterRef("pk"), status=DeliveryStatus.SENT)
    candidates = list(
        Reminder.objects.filter(
            acknowledged_at__isnull=True,
            as_of__lte=context.as_of,
            as_of__gte=context.as_of - ACK_LOOKBACK,
        )
        .exclude(source="digest")
        .filter(Exists(reached))
        .select_related("recipient_unit", "recipient_user", "unit")
        .order_by("as_of", "pk")
    )
    candidates = [
        r
        for r in candidates
        if context.workdays(r.as_of, context.as_of) >= context.ack_after
        and (r.recipient_unit_id is not None or r.stage == ESCALATE_HEAD)
    ]
    still = _still_open(candidates, context.as_of)
    # an update of the subject since the reminder shows it was seen (as good as 签收)
    item_ids = set()
    for r in candidates:
        kind, _sep, rest = r.topic.partition(":")
        if kind == "workitem" and rest.isascii() and rest.isdigit():
            item_ids.add(int(rest))
    step_items = dict(
        Milestone.objects.filter(
            pk__in=[
                int(r.topic.split(":")[1]) for r in candidates if r.topic.startswith("milestone:")
            ]
        ).values_list("pk", "work_item_id")
    )
    updates = _last_updates(context, item_ids | {i for i in step_items.values() if i})
    for reminder in candidates:
        if reminder.pk not in still:
            continue
        unit = reminder.recipient_unit or reminder.unit
        if unit is None:
            continue
        kind, _sep, rest = reminder.topic.partition(":")
        item_id = (
            int(rest)
            if kind == "workitem"
            else step_items.get(int(rest))
            if kind == "milestone"
            else None
        )
        if item_id is not None:
            seen_on = _updates_of(updates, reminder.topic, item_id, unit.pk)
            if any(day >= reminder.as_of for day in seen_on):
                continue
        facts = {
            "unit": unit.name,
            "who": (
                unit.name
                if reminder.recipient_unit_id
                else (
                    reminder.recipient_user.get_full_name()
                    or reminder.recipient_user.get_username()
                )
            ),
            "date": format_date_zh(reminder.as_of),
            "days": context.workdays(reminder.as_of, context.as_of),
            "subject": reminder.subject,
        }
        subject = (
            reminder.subject  # already says it was not acknowledged: not said twice
            if reminder.source == "unacknowledged"
            else (_("Not acknowledged for %(days)d working days: %(subject)s") % facts)[:200]
        )
        body = (
            _(
                "%(who)s has not acknowledged (签收) the reminder of %(date)s, %(days)d working "
                "days ago: “%(subject)s”. Please see that it is taken in hand."
            )
            % facts
        )
        heads = unit_heads(unit) if reminder.recipient_unit_id else []
        if heads:
            for head in heads:
                yield Notice(
                    recipient=head,
                    unit=unit,
                    subject=subject,
                    body=body,
                    topic=reminder.topic,
                    stage=ESCALATE_HEAD,
                    source="unacknowledged",
                    due_on=reminder.due_on,
                    url=reminder.url,
                )
        else:
            yield from _leader_notices(
                unit,
                subject=subject,
                body=body,
                topic=reminder.topic,
                due_on=reminder.due_on,
                source="unacknowledged",
                url=reminder.url,
            )


SOURCES: list[Callable[[RunContext], Iterable[Notice]]] = [
    work_items,
    milestones,
    guides,
    escalations,
    unacknowledged,
    silent_projects,
]
