from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("proposals.urls")),
    path("", include("replies.urls")),
    path("", include("replies.public_urls")),
    path("", include("replies.stats_urls")),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "config.errors.bad_request"
handler500 = "config.errors.server_error"
