from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("preview/<str:sha>/", views.preview, name="preview"),
    path("confirm/<str:sha>/", views.confirm, name="confirm"),
    path("export/", views.export, name="export"),
]
