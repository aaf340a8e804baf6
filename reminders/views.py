"""Pages of reminders: my reminders (the bell), every reminder with its deliveries, and the
office's page for the units' chat robots. Thin: scoping in querysets, writes in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.history import history_for
from common.permissions import BUSINESS_ROLES, Role, role_of
from common.validation import parse_int, query_value

from . import services
from .forms import MarkReadForm, RobotForm
from .models import Delivery, DeliveryStatus, Reminder, Robot

PER_PAGE = 30


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """My reminders, newest first; unread ones marked."""
    deliveries = Delivery.objects.inbox_of(request.user).select_related(
        "reminder", "reminder__unit"
    )
    page = Paginator(deliveries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/inbox.html",
        {
            "page": page,
            "unread": Delivery.objects.unread_for(request.user).count(),
            "sees_all": role_of(request.user) in BUSINESS_ROLES,
        },
    )


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The bell with my unread count (htmx loads it into every page's header)."""
    count = Delivery.objects.unread_for(request.user).count()
    return render(request, "reminders/_bell.html", {"unread_count": count})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one of my reminders read (and open what it is about), or all of them."""
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That reminder does not exist."))
        return redirect("reminders:inbox")
    delivery_id = form.cleaned_data["delivery"]
    if delivery_id is None:
        count = services.mark_read(user=request.user)
        messages.success(request, _("%(count)d reminders marked read.") % {"count": count})
        return redirect("reminders:inbox")
    delivery = get_object_or_404(
        Delivery.objects.inbox_of(request.user).select_related("reminder"), pk=delivery_id
    )
    services.mark_read(user=request.user, delivery_ids=[delivery.pk])
    target = delivery.reminder.url
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("reminders:inbox")


@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """签收: the link in every e-mail and chat message (after login) and the inbox's button.
    GET shows the reminder with the button; POST acknowledges it and opens what it is about."""
    reminder = get_object_or_404(
        services.acknowledgeable_by(request.user).select_related("acknowledged_by"), pk=pk
    )
    if request.method == "POST":
        if services.acknowledge(user=request.user, reminder=reminder):
            messages.success(request, _("Acknowledged. The supervision office sees it."))
        target = reminder.url
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("reminders:inbox")
    return render(request, "reminders/acknowledge.html", {"r": reminder})


@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    """Every reminder the viewer may see (the office: all; a leader: their units'; a unit: its
    own), with each delivery's channel, status, attempts and last error."""
    if role_of(request.user) not in BUSINESS_ROLES:
        raise PermissionDenied
    failed_only = request.GET.get("failed") == "1"
    unacknowledged = request.GET.get("unacknowledged") == "1"
    failing = Delivery.objects.filter(reminder=OuterRef("pk"), status=DeliveryStatus.FAILED)
    reminders = (
        Reminder.objects.visible_to(request.user)
        .select_related("recipient_unit", "recipient_user", "unit", "acknowledged_by")
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.select_related("user", "robot"))
        )
        .order_by("-as_of", "-id")
    )
    if failed_only:
        reminders = reminders.filter(Exists(failing))
    if unacknowledged:
        reminders = reminders.filter(acknowledged_at__isnull=True, deliveries__isnull=False)
        reminders = reminders.distinct()
    page = Paginator(reminders, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/reminder_list.html",
        {
            "page": page,
            "failed_only": failed_only,
            "unacknowledged": unacknowledged,
            "failed_count": Reminder.objects.visible_to(request.user)
            .filter(Exists(failing))
            .count(),
            "is_office": role_of(request.user) == Role.OFFICE,
            "unreachable_count": Reminder.objects.visible_to(request.user)
            .filter(deliveries__isnull=True)
            .count(),
        },
    )


@login_required
def unreachable(request: HttpRequest) -> HttpResponse:
    """无法送达: the units whose reminders reached no one, what each lacks and where to fix it
    (a person — the system administrator's accounts —, an address, a robot)."""
    _office(request)
    units = services.unreachable_units(request.user)
    return render(
        request,
        "reminders/unreachable.html",
        {
            "units": units,
            "still": sum(1 for u in units if not u.reachable),
            "email_enabled": services.email_enabled(),
        },
    )


def _office(request) -> None:
    if role_of(request.user) != Role.OFFICE:
        raise PermissionDenied


def _save_robot(request, form: RobotForm, robot: Robot | None) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    unit = robot.unit if robot else data["unit"]
    leader = robot.leader if robot else data.get("leader")
    kind = robot.kind if robot else data["kind"]
    owner = {"unit": unit} if unit is not None else {"leader": leader}
    if robot is None and Robot.objects.filter(kind=kind, **owner).exists():
        form.add_error("kind", _("This unit already has this robot: edit it in the list below."))
        return False
    try:
        _robot, changed = services.save_robot(
            user=request.user,
            unit=unit,
            leader=leader if unit is None else None,
            kind=kind,
            webhook=data["webhook"] or (robot.webhook if robot else ""),
            secret=data["secret"] or None,
            enabled=data["enabled"],
            expected_version=data["version"] if robot else None,
        )
    except ValidationError as exc:
        field = exc.code if exc.code in ("webhook", "secret") else None
        form.add_error(field, exc)
        return False
    if changed:
        messages.success(request, _("Robot saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return True


@login_required
def robot_list(request: HttpRequest) -> HttpResponse:
    _office(request)
    unit_id, _error = query_value(
        request.GET, "unit", lambda raw: parse_int(raw, minimum=1, name=_("Unit"))
    )
    form = RobotForm(request.POST or None, initial={"unit": unit_id} if unit_id else None)
    if request.method == "POST" and _save_robot(request, form, None):
        return redirect("reminders:robot_list")
    robots = Robot.objects.visible_to(request.user).select_related("unit", "leader")
    return render(request, "reminders/robot_list.html", {"form": form, "robots": robots})


@login_required
def robot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    robot = get_object_or_404(Robot.objects.select_related("unit", "leader"), pk=pk)
    initial = {
        "unit": robot.unit,
        "leader": robot.leader,
        "kind": robot.kind,
        "enabled": robot.enabled,
        "version": robot.version,
    }
    form = RobotForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and _save_robot(request, form, robot):
        return redirect("reminders:robot_list")
    return render(
        request,
        "reminders/robot_edit.html",
        {"form": form, "robot": robot, "history": history_for(robot)},
    )


@login_required
@require_POST
def robot_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    robot = get_object_or_404(Robot, pk=pk)
    services.remove_robot(user=request.user, robot=robot)
    messages.success(request, _("Robot removed."))
    return redirect("reminders:robot_list")
