from django.urls import path

from . import stats_views

urlpatterns = [
    path("stats/", stats_views.stats_page, name="stats"),
    path("stats/export.xlsx", stats_views.stats_export, name="stats-export"),
]
