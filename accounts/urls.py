from django.urls import path

from . import views

urlpatterns = [
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("accounts/2fa/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("accounts/2fa/setup/qr.svg", views.two_factor_qr, name="two-factor-qr"),
    path("accounts/2fa/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
]
