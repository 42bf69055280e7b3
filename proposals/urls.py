from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/", views.proposal_list, name="proposal-list"),
    path("proposals/new/", views.proposal_register, name="proposal-register"),
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
