from django.urls import path

from . import export_views, import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/", views.proposal_list, name="proposal-list"),
    path("proposals/new/", views.proposal_register, name="proposal-register"),
    path("proposals/export.xlsx", export_views.proposal_list_export, name="proposal-list-export"),
    path("imports/jobs/<int:pk>/", import_views.import_job, name="import-job"),
    path("imports/jobs/<int:pk>/status/", import_views.import_job_status_json, name="import-job-status"),
    path("imports/<slug:kind>/", import_views.import_upload, name="import-upload"),
    path("imports/<slug:kind>/confirm/", import_views.import_confirm, name="import-confirm"),
    path("imports/<slug:kind>/template.xlsx", import_views.import_template, name="import-template"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/assign/", views.proposal_assign, name="proposal-assign"),
    path("proposals/<int:pk>/close/", views.proposal_close, name="proposal-close"),
    path(
        "assignments/<int:pk>/do/<slug:action>/",
        views.assignment_transition,
        name="assignment-transition",
    ),
    path("consultations/<int:pk>/answer/", views.consultation_answer, name="consultation-answer"),
    path(
        "assignments/<int:pk>/consultations/new/",
        views.consultation_new,
        name="consultation-new",
    ),
]
