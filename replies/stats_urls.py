from django.urls import path

from . import report_views, stats_views

urlpatterns = [
    path("stats/", stats_views.stats_page, name="stats"),
    path("stats/status/", stats_views.stats_status, name="stats-status"),
    path("stats/refresh/", stats_views.stats_refresh, name="stats-refresh"),
    path("stats/export.xlsx", stats_views.stats_export, name="stats-export"),
    path("stats/report/", report_views.report_page, name="stats-report"),
    path("stats/report/download/", report_views.report_download, name="stats-report-download"),
]
