from django.contrib import admin

from audit.admin_mixins import AuditedAdmin

from .models import (
    Channel,
    Contact,
    Guide,
    Lead,
    Project,
    ProjectStageChange,
    Receipt,
    Target,
    TargetRevision,
)

for model in [
    Channel,
    Target,
    TargetRevision,
    Project,
    ProjectStageChange,
    Receipt,
    Lead,
    Guide,
    Contact,
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (AuditedAdmin, admin.ModelAdmin), {}))
