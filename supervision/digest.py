"""The leaders' weekly digest (design §11): for each leader, their units' figures from the
reporting read model and what changed since last week, the overdue work items they lead or
whose lead unit they oversee, and the lag explanations waiting for their sign-off.

`digest_for(leader, as_of)` is the one function behind the phone-first page and
`luoshi digest`, which sends it to each leader by e-mail and in the app (`reminders.notify`)
and to their robot."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from common.dates import format_date_zh
from common.money import format_amount
from funding.choices import Status
from org.models import Leader
from org.period import ReportingPeriod, office_period
from policy.models import Assignment, AssignmentRole, WorkItem
from policy.states import OVERDUE, due_soon_horizon
from reporting.read_model import SYSTEM, figures_for

from .bulletin import percent_text
from .models import LagExplanation


@dataclass
class UnitLine:
    code: str
    name: str
    target: int
    secured: int
    rate: str
    status: str
    status_label: str
    change: int  # 元 secured since last week
    status_before: str | None  # the status last week, when it differs


@dataclass
class Digest:
    leader: Leader
    as_of: dt.date
    since: dt.date | None
    units: list[UnitLine] = field(default_factory=list)
    overdue: list[dict] = field(default_factory=list)
    sign_off: list[LagExplanation] = field(default_factory=list)

    @property
    def secured(self) -> int:
        return sum(u.secured for u in self.units)

    @property
    def target(self) -> int:
        return sum(u.target for u in self.units)

    @property
    def change(self) -> int:
        return sum(u.change for u in self.units)

    def subject(self) -> str:
        return _("Weekly digest for %(leader)s, %(date)s") % {
            "leader": self.leader.name,
            "date": format_date_zh(self.as_of),
        }

    def text(self) -> str:
        """The digest as the message body (e-mail, chat robot, in the app)."""
        lines = [
            _("Your %(n)d units: %(secured)s secured of %(target)s (%(change)s since %(since)s).")
            % {
                "n": len(self.units),
                "secured": format_amount(self.secured),
                "target": format_amount(self.target),
                "change": "+" + format_amount(self.change) if self.change else "±0",
                "since": format_date_zh(self.since) if self.since else "—",
            }
        ]
        for u in self.units:
            moved = _(" (was %(before)s)") % {"before": u.status_before} if u.status_before else ""
            lines.append(
                f"· {u.name}：{format_amount(u.secured)} / {format_amount(u.target)}，"
                f"{u.rate}，{u.status_label}{moved}"
                + (f"，+{format_amount(u.change)}" if u.change else "")
            )
        lines.append(_("Overdue work items: %(n)d") % {"n": len(self.overdue)})
        lines += [
            f"· {i['code']} {i['title']}（{i['lead_unit']}，{i['due_on']}）"
            for i in self.overdue[:10]
        ]
        lines.append(_("Waiting for your sign-off: %(n)d") % {"n": len(self.sign_off)})
        lines += [f"· {e.unit.name}" for e in self.sign_off]
        return "\n".join(lines)


def _period(as_of: dt.date) -> ReportingPeriod:
    mode = office_period().mode
    return ReportingPeriod(as_of.year, as_of, mode)


def digest_for(leader: Leader, as_of: dt.date) -> Digest:
    """What `leader` should know on `as_of` (figures as the office reads them)."""
    overseen = list(leader.oversees.order_by("sort_order", "code").values_list("pk", flat=True))
    since = as_of - dt.timedelta(days=7)
    digest = Digest(leader=leader, as_of=as_of, since=since if since.year == as_of.year else None)
    if overseen:
        now = figures_for(SYSTEM, _period(as_of), unit_ids=overseen)
        before = (
            figures_for(SYSTEM, _period(digest.since), unit_ids=overseen) if digest.since else None
        )
        for u in now.units:
            old = before.unit(u.unit_id) if before else None
            status = Status(u.status)
            old_status = Status(old.status) if old else None
            digest.units.append(
                UnitLine(
                    code=u.code,
                    name=u.name,
                    target=u.target,
                    secured=u.secured,
                    rate=percent_text(u.rate),
                    status=status.value,
                    status_label=str(status.label),
                    change=u.secured - (old.secured if old else 0) if before else 0,
                    status_before=str(old_status.label)
                    if old_status is not None and old_status != status
                    else None,
                )
            )
    states = due_soon_horizon(as_of)
    lead_units = Assignment.objects.filter(role=AssignmentRole.LEAD, unit_id__in=overseen)
    items = (
        WorkItem.objects.with_state(states.as_of, states.horizon)
        .filter(state=OVERDUE)
        .filter(Q(lead_leader=leader) | Q(pk__in=lead_units.values("work_item_id")))
        .distinct()
        .order_by("due_on", "code")
    )
    leads = dict(
        Assignment.objects.filter(role=AssignmentRole.LEAD, work_item__in=items).values_list(
            "work_item_id", "unit__name"
        )
    )
    digest.overdue = [
        {
            "pk": item.pk,
            "code": item.code,
            "title": item.title,
            "due_on": item.due_on.isoformat(),
            "lead_unit": leads.get(item.pk, ""),
        }
        for item in items
    ]
    digest.sign_off = list(
        LagExplanation.objects.filter(unit_id__in=overseen, status=LagExplanation.Status.FILED)
        .select_related("unit")
        .order_by("filed_at")
    )
    return digest


def digest_url() -> str:
    return reverse("supervision:digest")
