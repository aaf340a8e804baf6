from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only record of who did what to which object, before → after.

    Database triggers refuse UPDATE and DELETE on this table (see migration 0002).
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=30, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The server's own id for the request; what the client sent as X-Request-ID is kept
    # apart, cleaned (see audit.middleware), and never trusted as the event's id.
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_request_id = models.CharField(_("client request id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    success = models.BooleanField(_("success"), default=True)
    batch = models.CharField(_("batch"), max_length=64, blank=True, db_index=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    @property
    def role_label(self) -> str:
        from common.permissions import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role


class AuditAnchor(models.Model):
    """Where the chain resumes after pruning: the hash of the last pruned event.

    It lives in the database, so it is believed only when the sealed `audit.pruned` event
    that follows it names the same id and hash (see audit.anchors.verify_trail). The chain
    head kept outside the database is the anchor file (`settings.AUDIT_ANCHOR_FILE`)."""

    pruned_through = models.BigIntegerField(_("pruned through id"))
    last_hash = models.CharField(_("last hash"), max_length=64)
    pruned_at = models.DateTimeField(_("pruned at"), auto_now_add=True)
    count = models.PositiveIntegerField(_("events pruned"))

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")

    def __str__(self) -> str:
        return f"≤{self.pruned_through}"
