"""Who sees which reminders: a person their own notices; the office every reminder; a leader
the reminders about the units they oversee; a unit its own (common.querysets scoping)."""

from django.db import models

from common.querysets import ScopedQuerySet

from .choices import Channel


class ReminderQuerySet(ScopedQuerySet):
    unit_path = "unit"


class DeliveryQuerySet(models.QuerySet):
    def inbox_of(self, user):
        """The in-app notices addressed to `user`, newest first."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(channel=Channel.APP, user=user).order_by("-created_at", "-id")

    def unread_for(self, user):
        return self.inbox_of(user).filter(read_at__isnull=True)


class RobotQuerySet(ScopedQuerySet):
    unit_path = "unit"
