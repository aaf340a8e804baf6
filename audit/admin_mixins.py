from django.db import transaction

from .services import record, snapshot


class AuditedAdmin:
    """Django admin writes go to the audit trail like every service write."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj)._base_manager.get(pk=obj.pk)) if change and obj.pk else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = "updated" if change else "created"
            record(
                f"{obj._meta.app_label}.{obj._meta.model_name}.{action}",
                obj,
                before=before,
                after=snapshot(obj),
                user=request.user,
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            record(
                f"{obj._meta.app_label}.{obj._meta.model_name}.deleted",
                obj,
                before=snapshot(obj),
                user=request.user,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
