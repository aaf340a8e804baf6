"""The chat robots of units and leaders (office only)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from audit.versions import check_version
from common.permissions import Role, role_of
from common.services import require
from org.models import Unit

from .. import webhooks
from ..models import Delivery, DeliveryStatus, Robot, RobotKind


def _robot_snapshot(robot: Robot) -> dict:
    return {
        "unit": robot.unit_id,
        "leader": robot.leader_id,
        "kind": robot.kind,
        "webhook": robot.masked_webhook,
        "secret": robot.masked_secret,
        "enabled": robot.enabled,
        "version": robot.version,
    }


@transaction.atomic
def save_robot(
    *,
    user,
    unit: Unit | None = None,
    kind: str,
    webhook: str,
    secret: str | None = None,
    enabled: bool = True,
    expected_version: int | None = None,
    leader=None,
) -> tuple[Robot, bool]:
    """Create or change a unit's robot, or a leader's (office only). `secret=None` keeps the
    stored secret, so the form never has to show it back. Audited with the secret and token
    masked."""
    if user is not None:
        require(role_of(user) == Role.OFFICE)
    if kind not in RobotKind.values:
        raise ValidationError(_("Unknown robot kind."))
    webhook = (webhook or "").strip()
    webhooks.check_webhook(webhook)  # an allow-listed host over https; no DNS at save
    if (unit is None) == (leader is None):
        raise ValidationError(_("A robot belongs to a unit or to a leader."), code="unit")
    owner = {"unit": unit} if unit is not None else {"leader": leader}
    # no ordering: the default one joins the (nullable) unit, which PostgreSQL cannot lock
    robot = Robot.objects.select_for_update().filter(kind=kind, **owner).order_by("pk").first()
    if robot is None:
        if kind == RobotKind.DINGTALK and not secret:
            raise ValidationError(
                _("A DingTalk robot needs its signing secret (加签 SEC…)."), code="secret"
            )
        robot = Robot.objects.create(
            kind=kind, webhook=webhook, secret=secret or "", enabled=enabled, **owner
        )
        record("reminders.robot.created", robot, after=_robot_snapshot(robot), user=user)
        return robot, True
    check_version(robot, expected_version)
    before = _robot_snapshot(robot)
    new_secret = robot.secret if secret is None or secret == "" else secret
    if (robot.webhook, robot.secret, robot.enabled) == (webhook, new_secret, enabled):
        return robot, False
    robot.webhook, robot.secret, robot.enabled = webhook, new_secret, enabled
    robot.version += 1
    robot.save(update_fields=["webhook", "secret", "enabled", "version"])
    after = {**_robot_snapshot(robot), "secret_changed": secret not in (None, "")}
    record("reminders.robot.changed", robot, before=before, after=after, user=user)
    return robot, True


@transaction.atomic
def remove_robot(*, user, robot: Robot) -> None:
    if user is not None:
        require(role_of(user) == Role.OFFICE)
    before = _robot_snapshot(robot)
    # what it has not delivered yet can no longer go anywhere: said so, not retried for ever
    cancelled = Delivery.objects.filter(robot=robot).exclude(status=DeliveryStatus.SENT)
    count = cancelled.update(
        status=DeliveryStatus.CANCELLED, last_error=_("The robot was removed.")
    )
    record(
        "reminders.robot.removed",
        robot,
        before=before,
        after={"deliveries_cancelled": count},
        user=user,
    )
    robot.delete()


def ensure_office(user) -> None:
    if role_of(user) != Role.OFFICE:
        raise PermissionDenied
