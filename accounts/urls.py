from django.urls import path

from . import views

urlpatterns = [
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
]
