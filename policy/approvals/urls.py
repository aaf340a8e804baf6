from django.urls import path

from . import views

# included in policy/urls.py (namespace "policy")
urlpatterns = [
    path("items/<int:pk>/extension/", views.workitem_extension, name="workitem_extension"),
    path("items/<int:pk>/closing/", views.workitem_closing, name="workitem_closing"),
    path("milestones/<int:pk>/extension/", views.milestone_extension, name="milestone_extension"),
    path(
        "extensions/<int:pk>/decide/",
        views.request_decide,
        {"kind": "extension"},
        name="extension_decide",
    ),
    path(
        "closings/<int:pk>/decide/",
        views.request_decide,
        {"kind": "closing"},
        name="closing_decide",
    ),
    path("requests/", views.request_queue, name="request_queue"),
]
