from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Unit

from .choices import Channel, DeliveryStatus, ReminderSource, RobotKind
from .querysets import DeliveryQuerySet, ReminderQuerySet, RobotQuerySet


class Robot(models.Model):
    """A chat group robot (企业微信/钉钉群机器人) of a unit, or of a leader (their digest and
    escalations): its webhook and, for DingTalk, the signing secret. The secret is never shown
    back in full (see `masked_secret`)."""

    objects = RobotQuerySet.as_manager()

    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robots",
        verbose_name=_("unit"),
    )
    leader = models.ForeignKey(
        "org.Leader",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robots",
        verbose_name=_("leader"),
    )
    kind = models.CharField(_("robot"), max_length=20, choices=RobotKind.choices)
    webhook = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("chat robot")
        verbose_name_plural = _("chat robots")
        ordering = ["unit", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="robot_unique_kind_per_unit"),
            models.UniqueConstraint(fields=["leader", "kind"], name="robot_unique_kind_per_leader"),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, leader__isnull=True)
                | models.Q(unit__isnull=True, leader__isnull=False),
                name="robot_unit_or_leader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit or self.leader} {self.get_kind_display()}"

    @property
    def masked_secret(self) -> str:
        return mask(self.secret)

    @property
    def masked_webhook(self) -> str:
        """The webhook without its token (WeCom's `key=`, DingTalk's `access_token=`)."""
        return mask_url(self.webhook)


def mask(secret: str) -> str:
    """Enough of a secret to recognise it, never enough to use it."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "*" * len(secret)
    return f"{secret[:3]}…{secret[-3:]}"


def mask_url(url: str) -> str:
    base, sep, query = url.partition("?")
    if not sep:
        return url
    parts = []
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        parts.append(f"{name}={mask(value)}" if eq else pair)
    return f"{base}?{'&'.join(parts)}"


class Reminder(models.Model):
    """An urging message (催办) to one recipient — a unit or a person — about one subject.

    `key` names subject + recipient + due date + stage; it is unique, so the same reminder is
    never created (and so never sent) twice. Each channel it goes out on is a `Delivery`."""

    objects = ReminderQuerySet.as_manager()

    key = models.CharField(_("key"), max_length=255, unique=True)
    source = models.CharField(_("source"), max_length=40, choices=ReminderSource.choices)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    # what the reminder is about, e.g. "workitem:12", "guide:3": escalation finds earlier
    # stages of the same subject by it
    topic = models.CharField(_("subject reference"), max_length=100, blank=True, db_index=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("unit concerned"),
    )
    recipient_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient unit"),
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    as_of = models.DateField(_("reminded on"))
    created_at = models.DateTimeField(_("created at"))
    # 签收: the recipient (a person of the unit, or the person it went to) saw it; one not
    # acknowledged in time is escalated like silence (reminders.sources.unacknowledged)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_unit__isnull=True, recipient_user__isnull=False)
                | models.Q(recipient_unit__isnull=False, recipient_user__isnull=True),
                name="reminder_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """A reminder on one channel to one address: in the app to a person, an e-mail to an
    address, a message to a unit's robot. A failed one stays `failed` with its error and is
    tried again by the next run, so a channel that is down never loses a reminder."""

    objects = DeliveryQuerySet.as_manager()

    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("reminder")
    )
    channel = models.CharField(_("sent through"), max_length=20, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    robot = models.ForeignKey(
        Robot,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name=_("robot"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel", "address"], name="delivery_unique_address"
            )
        ]
        indexes = [
            models.Index(fields=["user", "channel", "read_at"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"{self.reminder} → {self.get_channel_display()} {self.address}"
