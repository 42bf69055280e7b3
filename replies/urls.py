from django.urls import path

from . import notice_views, paste_views, views

urlpatterns = [
    path("assignments/<int:pk>/reply/", views.reply_edit, name="reply-edit"),
    path("assignments/<int:pk>/reply/paste/", paste_views.reply_paste, name="reply-paste"),
    path("assignments/<int:pk>/reply/preview.pdf", views.reply_preview_pdf, name="reply-preview"),
    path("assignments/<int:pk>/opinion/", views.opinion_edit, name="opinion-edit"),
    path("replies/<int:pk>/", views.reply_detail, name="reply-detail"),
    path("replies/<int:pk>/pdf/", views.reply_pdf, name="reply-pdf"),
    path("replies/<int:pk>/pdf/status/", views.reply_pdf_status, name="reply-pdf-status"),
    path("replies/<int:pk>/pdf/rerender/", views.reply_pdf_rerender, name="reply-pdf-rerender"),
    path("opinions/<int:pk>/pdf/", views.opinion_pdf, name="opinion-pdf"),
    path("exports/new/", views.export_new, name="export-new"),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
    path("exports/<int:pk>/status/", views.export_status, name="export-status"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("exports/<int:pk>/retry/", views.export_retry, name="export-retry"),
    path("my/proposals/", views.my_proposals, name="my-proposals"),
    path("my/proposals/<int:pk>/", views.my_proposal, name="my-proposal"),
    path("replies/<int:pk>/evaluate/", views.evaluation_new, name="evaluation-new"),
    path("replies/<int:pk>/evaluations/paper/", views.evaluation_paper, name="evaluation-paper"),
    path("evaluations/<int:pk>/correct/", views.evaluation_correct, name="evaluation-correct"),
    path("evaluations/<int:pk>/scan/", views.evaluation_scan, name="evaluation-scan"),
    path("proposals/batch-assign/", notice_views.batch_assign, name="batch-assign"),
    path("notices/", notice_views.notice_list, name="notice-list"),
    path("notices/<int:pk>/", notice_views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/pdf/", notice_views.notice_pdf, name="notice-pdf"),
    path("notices/batches/<int:pk>/", notice_views.notice_batch, name="notice-batch"),
]
