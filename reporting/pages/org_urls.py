from django.urls import path

from org import views
from reporting.pages import units

app_name = "org"
urlpatterns: list = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/suggest/", views.unit_suggest, name="unit_suggest"),
    path("units/<int:pk>/", units.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/sections/", views.section_add, name="section_add"),
    path("people/<int:pk>/contact/", views.person_contact, name="person_contact"),
    path("leaders/", views.leader_list, name="leader_list"),
    path("leaders/new/", views.leader_create, name="leader_create"),
    path("leaders/<int:pk>/", views.leader_edit, name="leader_edit"),
    path("calendar/", views.calendar, name="calendar"),
    path("settings/", views.site_settings, name="settings"),
]
