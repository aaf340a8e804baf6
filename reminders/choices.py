"""The reminders' choices: kept apart from the models so that the querysets can read them
without importing the models (no import circle)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderSource(models.TextChoices):
    """What a reminder is about (reminders/sources.py and the commands that urge)."""

    WORK_ITEM = "work_item", _("work item")
    MILESTONE = "milestone", _("time node")
    GUIDE = "guide", _("application guide")
    PROJECT = "project", _("project follow-up")
    ESCALATION = "escalation", _("escalation")
    UNACKNOWLEDGED = "unacknowledged", _("not acknowledged")
    DISPATCH = "dispatch", _("dispatch round")
    DIGEST = "digest", _("weekly digest")


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class Channel(models.TextChoices):
    APP = "app", _("In the app")
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    CANCELLED = "cancelled", _("Cancelled: the robot was removed")
