from django.urls import include, path

from . import reach_views, views

app_name = "supervision"
urlpatterns = [
    path("", include("supervision.lag.urls")),
    path("dispatch/", views.dispatch_list, name="dispatch_list"),
    path("dispatch/new/", views.dispatch_create, name="dispatch_create"),
    path("dispatch/<int:pk>/", views.dispatch_detail, name="dispatch_detail"),
    path("dispatch/<int:pk>/urge/", views.dispatch_urge, name="dispatch_urge"),
    path("dispatch/<int:pk>/briefing.docx", views.dispatch_briefing, name="dispatch_briefing"),
    path("dispatch/answer/<int:pk>/", views.dispatch_answer, name="dispatch_answer"),
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path("bulletins/preview/", views.bulletin_preview, name="bulletin_preview"),
    path("bulletins/draft.<str:fmt>", views.bulletin_draft, name="bulletin_draft"),
    path("bulletins/issue/", views.bulletin_issue, name="bulletin_issue"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path(
        "bulletins/<int:pk>/download.<str:fmt>", views.bulletin_download, name="bulletin_download"
    ),
    path("effect/", reach_views.effect, name="reminder_effect"),
    path("digest/", reach_views.digest, name="digest"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/export.xlsx", views.assessment_export, name="assessment_export"),
    path("assessment/rules/", views.rules_list, name="rules_list"),
    path("assessment/rules/<int:pk>/", views.rules_edit, name="rules_edit"),
]
