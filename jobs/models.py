"""Long work done outside the request (a province's bulletin PDF, a 100,000-row import): one
row per job with its owner, its progress and, when done, its result file."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is its owner's: nobody else sees its progress or takes its result."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)


class Job(models.Model):
    """A piece of long work run by the job worker (`luoshi serve` starts one; `luoshi
    db_worker` runs one alone), with what it has done so far and the file it made."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    INTERRUPTED = "interrupted"  # its worker died under it (killed, the machine restarted)
    STATUSES = [
        (QUEUED, _("Queued")),
        (RUNNING, _("Running")),
        (DONE, _("Done")),
        (FAILED, _("Failed")),
        (INTERRUPTED, _("Interrupted")),
    ]

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=STATUSES, default=QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    result_name = models.CharField(max_length=200, blank=True)  # the download's file name
    result_type = models.CharField(max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(default=0)
    result_url = models.CharField(max_length=300, blank=True)  # a page to go on to instead
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # who runs it ("host pid start-ticks", see services.worker_identity) and when it last said
    # it is alive: a running job whose worker is gone is interrupted, not running forever
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # the job started again in its place (once: a second click opens the same one)
    restarted_as = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED, self.INTERRUPTED)

    @property
    def can_restart(self) -> bool:
        return self.status in (self.FAILED, self.INTERRUPTED)

    @property
    def percent(self) -> int:
        if self.status == self.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
