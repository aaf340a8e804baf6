from django.urls import path

from org import views

app_name = "org"
urlpatterns: list = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
]
