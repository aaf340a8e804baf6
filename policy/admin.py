from django.contrib import admin

from audit.admin_mixins import AuditedAdmin

from .models import (
    Aspect,
    Assignment,
    Measure,
    Milestone,
    Policy,
    ProgressReport,
    WorkItem,
    WorkPlan,
)

for model in [Aspect, Policy, Measure, WorkItem, Assignment, Milestone, WorkPlan, ProgressReport]:
    admin.site.register(model, type(f"{model.__name__}Admin", (AuditedAdmin, admin.ModelAdmin), {}))
