from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("items/", views.workitem_list, name="workitem_list"),
    path("items/<int:pk>/", views.workitem_detail, name="workitem_detail"),
]
