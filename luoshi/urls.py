from django.urls import include, path
from django.views.i18n import set_language

from api.urls import token_patterns

urlpatterns = [
    path("", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("cockpit/", include("dashboard.urls")),
    path("org/", include("reporting.pages.org_urls")),
    path("policy/", include("policy.urls")),
    path("funding/", include("reporting.pages.funding_urls")),
    path("supervision/", include("supervision.urls")),
    path("ledger/", include("ledger.urls")),
    path("jobs/", include("jobs.urls")),
    path("reminders/", include("reminders.urls")),
    path("audit/", include("audit.urls")),
    path("api/", include("api.urls")),
    path("api-tokens/", include(token_patterns)),
]

handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"
