from django.urls import path

from funding import pipeline_views as pipeline
from funding import plan_views, views
from funding.corrections import views as corrections
from funding.directory import views as directory
from reporting.pages import targets

app_name = "funding"
urlpatterns = [
    path("targets/", targets.target_list, name="target_list"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/", views.target_edit, name="target_edit"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", pipeline.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", pipeline.project_edit, name="project_edit"),
    path("projects/<int:pk>/include/", plan_views.project_include, name="project_include"),
    path("projects/<int:pk>/materials/", pipeline.material_upload, name="material_upload"),
    path("materials/<int:pk>/", pipeline.material_download, name="material_download"),
    path("materials/<int:pk>/remove/", pipeline.material_remove, name="material_remove"),
    path("materials/checklist/", pipeline.requirement_list, name="requirement_list"),
    path(
        "materials/checklist/<int:pk>/delete/",
        pipeline.requirement_delete,
        name="requirement_delete",
    ),
    path("receipts/", views.receipt_list, name="receipt_list"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("receipts/<int:pk>/reject/", views.receipt_reject, name="receipt_reject"),
    path("receipts/<int:pk>/correct/", corrections.correction_request, name="correction_request"),
    path("receipts/<int:pk>/reinstate/", corrections.receipt_reinstate, name="receipt_reinstate"),
    path("corrections/", corrections.correction_list, name="correction_list"),
    path(
        "corrections/<int:pk>/approve/", corrections.correction_approve, name="correction_approve"
    ),
    path("corrections/<int:pk>/refuse/", corrections.correction_refuse, name="correction_refuse"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/confirm/", views.claim_confirm, name="claim_confirm"),
    path("guides/", views.guide_list, name="guide_list"),
    path("guides/new/", pipeline.guide_create, name="guide_create"),
    path("guides/<int:pk>/", pipeline.guide_detail, name="guide_detail"),
    path("guides/<int:pk>/edit/", pipeline.guide_edit, name="guide_edit"),
    path("guides/<int:pk>/prepare/", pipeline.guide_prepare, name="guide_prepare"),
    path("leads/", pipeline.lead_list, name="lead_list"),
    path("leads/new/", pipeline.lead_create, name="lead_create"),
    path("leads/<int:pk>/convert/", pipeline.lead_convert, name="lead_convert"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/counterparts/", pipeline.counterpart_list, name="counterpart_list"),
    path("counterparts/", directory.counterpart_directory, name="counterpart_directory"),
    path("counterparts/<int:pk>/", directory.counterpart_detail, name="counterpart_detail"),
    path(
        "counterparts/<int:pk>/people/",
        directory.counterpart_person_add,
        name="counterpart_person_add",
    ),
    path(
        "counterparts/people/<int:pk>/remove/",
        directory.counterpart_person_remove,
        name="counterpart_person_remove",
    ),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/link/", pipeline.contact_link, name="contact_link"),
    path("rates/", pipeline.rates, name="rates"),
]
