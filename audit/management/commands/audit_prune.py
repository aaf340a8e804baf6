from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audit import chain
from audit.models import AuditAnchor, AuditEvent
from audit.services import record
from audit.triggers import MIN_RETENTION_DAYS


class Command(BaseCommand):
    help = "Delete audit events older than the retention period (at least 180 days)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUDIT_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        if days < MIN_RETENTION_DAYS:
            raise CommandError(f"retention must be at least {MIN_RETENTION_DAYS} days")
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic():
            chain.lock_and_last_hash()
            # Only a prefix of the chain may go, so verification can resume at the anchor.
            first_young = (
                AuditEvent.objects.filter(at__gte=cutoff)
                .order_by("id")
                .values_list("id", flat=True)
                .first()
            )
            old = AuditEvent.objects.filter(at__lt=cutoff)
            if first_young is not None:
                old = old.filter(id__lt=first_young)
            last = old.order_by("-id").values("id", "hash").first()
            if last is None:
                self.stdout.write("Nothing older than the retention period.")
                return
            count = old.count()
            AuditAnchor.objects.create(
                pruned_through=last["id"], last_hash=last["hash"], count=count
            )
            old._raw_delete(old.db)
            record(
                "audit.pruned",
                None,
                after={"through": last["id"], "count": count, "days": days},
                object_type="audit.auditevent",
            )
        self.stdout.write(f"Pruned {count} audit events older than {days} days.")
