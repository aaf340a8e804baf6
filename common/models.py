"""Abstract model bases shared by the domain apps (no concrete model lives in common)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OfficeRequest(models.Model):
    """Something asked of the office and the office's answer: who asked and when, who
    answered and when, the office's comment, and the version an answer is taken at.

    A unit's extension or closing request (`policy.UnitRequest`) and a receipt correction
    (`funding.ReceiptCorrection`) add what is asked and their state field, named by
    `STATE_FIELD` ("pending" while the office has not answered). A subclass may restate a
    field to keep its own label (the columns stay as they are)."""

    STATE_FIELD = "status"
    PENDING = "pending"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    comment = models.TextField(_("the office's comment"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return getattr(self, self.STATE_FIELD) == self.PENDING

    def decide(self, *, user, state: str, comment: str, at: dt.datetime | None = None) -> None:
        """The office's answer, set on the locked request (the caller saves and audits)."""
        setattr(self, self.STATE_FIELD, state)
        self.comment = comment
        self.decided_by, self.decided_at = user, at or timezone.now()
        self.version += 1
