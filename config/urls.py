from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from proposals import views as proposal_views
from replies import views as reply_views

urlpatterns = [
    path("", proposal_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("proposals/", proposal_views.proposal_list, name="proposal-list"),
    path("proposals/new/", proposal_views.proposal_register, name="proposal-register"),
    path("proposals/<int:pk>/", proposal_views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/assign/", proposal_views.proposal_assign, name="proposal-assign"),
    path("proposals/<int:pk>/close/", proposal_views.proposal_close, name="proposal-close"),
    path(
        "assignments/<int:pk>/do/<slug:action>/",
        proposal_views.assignment_transition,
        name="assignment-transition",
    ),
    path("assignments/<int:pk>/reply/", reply_views.reply_edit, name="reply-edit"),
    path("assignments/<int:pk>/opinion/", reply_views.opinion_edit, name="opinion-edit"),
    path(
        "assignments/<int:pk>/consultations/new/",
        proposal_views.consultation_new,
        name="consultation-new",
    ),
    path("replies/<int:pk>/", reply_views.reply_detail, name="reply-detail"),
    path("replies/<int:pk>/pdf/", reply_views.reply_pdf, name="reply-pdf"),
    path("replies/<int:pk>/pdf/status/", reply_views.reply_pdf_status, name="reply-pdf-status"),
    path("replies/<int:pk>/pdf/rerender/", reply_views.reply_pdf_rerender, name="reply-pdf-rerender"),
    path("assignments/<int:pk>/reply/preview.pdf", reply_views.reply_preview_pdf, name="reply-preview"),
    path("opinions/<int:pk>/pdf/", reply_views.opinion_pdf, name="opinion-pdf"),
    path("exports/new/", reply_views.export_new, name="export-new"),
    path("exports/<int:pk>/", reply_views.export_detail, name="export-detail"),
    path("exports/<int:pk>/status/", reply_views.export_status, name="export-status"),
    path("exports/<int:pk>/download/", reply_views.export_download, name="export-download"),
    path("my/proposals/", proposal_views.my_proposals, name="my-proposals"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
