from common.testing import access


def _event():
    from audit.models import AuditEvent

    return {"pk": AuditEvent.objects.order_by("id").first().pk}


MATRIX = {
    "audit:event_list": access("auditor"),
    "audit:event_list#export": access("auditor", query="?export=xlsx&action=funding"),
    "audit:event_detail": access("auditor", kwargs=_event),
}
