from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from common.lists import list_exported

        from .services import record_list_export

        list_exported.connect(record_list_export, dispatch_uid="audit.list_exported")

        from common.querysets import scope_denied

        from .receivers import record_scope_denial

        scope_denied.connect(record_scope_denial, dispatch_uid="audit.scope_denied")
