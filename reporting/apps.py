from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_stamps(using="default", **kwargs) -> None:
    from django.db import connections

    from . import stamps

    stamps.install(connections[using])


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # after every migrate, so a table added by a later migration is stamped too
        post_migrate.connect(_install_stamps, sender=self, dispatch_uid="reporting.stamps")
