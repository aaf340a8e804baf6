from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_migrate, pre_migrate


def _uninstall_stamps(using="default", **kwargs) -> None:
    from django.db import connections

    from common import stamps

    stamps.uninstall(connections[using])


def _install_stamps(using="default", **kwargs) -> None:
    from django.db import connections

    from common import stamps

    stamps.install(connections[using])


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # off while migrations run, on again after every migrate (a table added later is
        # stamped too): see common/stamps.py
        pre_migrate.connect(_uninstall_stamps, sender=self, dispatch_uid="reporting.unstamp")
        post_migrate.connect(_install_stamps, sender=self, dispatch_uid="reporting.stamps")
        from common import stamps

        request_started.connect(stamps.request_started, dispatch_uid="reporting.request_stamps")
        request_finished.connect(stamps.request_finished, dispatch_uid="reporting.request_done")
