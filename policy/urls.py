from django.urls import include, path

from . import views
from .drafting import views as drafting
from .meetings import views as meetings
from .team import views as team

app_name = "policy"
urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("new/", views.policy_create, name="policy_create"),
    path("<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("<int:pk>/items/new/", views.workitem_create, name="workitem_create"),
    path("aspects/", views.aspect_list, name="aspect_list"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("items/", views.workitem_list, name="workitem_list"),
    path("items/<int:pk>/", views.workitem_detail, name="workitem_detail"),
    path("items/<int:pk>/edit/", views.workitem_edit, name="workitem_edit"),
    path("items/<int:pk>/plan/", views.workplan_edit, name="workplan_edit"),
    path("items/<int:pk>/done/", views.workitem_done, name="workitem_done"),
    path("items/<int:pk>/reschedule/", views.workitem_reschedule, name="workitem_reschedule"),
    path("items/<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone_detail"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path(
        "milestones/<int:pk>/reschedule/", views.milestone_reschedule, name="milestone_reschedule"
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("", include("policy.approvals.urls")),
    path("items/<int:pk>/team/", team.item_team, name="item_team"),
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/minutes.docx", meetings.meeting_minutes, name="meeting_minutes"),
    path("drafts/", drafting.draft_items, name="draft_items"),
    path("drafts/confirm/", drafting.draft_confirm, name="draft_confirm"),
    path("aliases/", drafting.alias_list, name="alias_list"),
    path("aliases/<int:pk>/remove/", drafting.alias_remove, name="alias_remove"),
]
