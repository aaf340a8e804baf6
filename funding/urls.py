from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("targets/", views.target_list, name="target_list"),
    path("targets/<int:pk>/", views.target_edit, name="target_edit"),
]
