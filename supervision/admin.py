from django.contrib import admin

from audit.admin_mixins import AuditedAdmin

from .models import Assessment, Bulletin, Dispatch, DispatchRequest, LagExplanation, Reminder

for model in [Dispatch, DispatchRequest, Reminder, LagExplanation, Bulletin, Assessment]:
    admin.site.register(model, type(f"{model.__name__}Admin", (AuditedAdmin, admin.ModelAdmin), {}))
