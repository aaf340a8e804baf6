from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("receipts/", views.receipt_create, name="receipt_create"),
    path("summary/", views.summary, name="summary"),
]
