from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("export/", views.cockpit_export, name="cockpit_export"),
    path("unit/<int:pk>/", views.unit_figures, name="unit"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/figures/", views.my_figures, name="my_figures"),
    path("workbench/receipts/", views.receipt_create, name="receipt_create"),
    path("workbench/projects/<int:pk>/advance/", views.project_advance, name="project_advance"),
    path("workbench/reports/", views.report_create, name="report_create"),
    path("workbench/contacts/", views.contact_create, name="contact_create"),
    path("workbench/reports/<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("workbench/reports/<int:pk>/send-back/", views.report_send_back, name="report_send_back"),
]
