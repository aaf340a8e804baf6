from django.contrib import admin

from audit.admin_mixins import AuditedAdmin

from .models import CalendarDay, CalendarYear, Leader, Membership, Section, SiteConfig, Unit

for model in [Unit, Section, Leader, Membership, SiteConfig, CalendarYear, CalendarDay]:
    admin.site.register(model, type(f"{model.__name__}Admin", (AuditedAdmin, admin.ModelAdmin), {}))
