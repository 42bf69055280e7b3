"""The notification inbox and the user's notification preferences. Thin: every read and write
goes through accounts.notifications, and only ever touches the signed-in user's own rows."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import notifications
from .models import User

PAGE_SIZE = 20


@login_required
def notification_list(request):
    page = Paginator(notifications.notifications_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk):
    notification = notifications.notification_mark_read(user=request.user, pk=pk)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("notification-list")
    return redirect(target)


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext("已将 %(count)s 条通知标为已读。", "已将 %(count)s 条通知标为已读。", count)
            % {"count": count},
        )
    return redirect("notification-list")


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["notify_by_email"]


@login_required
def notification_settings(request):
    # An unticked box posts nothing: a POST with no fields still means "e-mail off".
    form = PreferencesForm(request.POST if request.method == "POST" else None, instance=request.user)
    if form.is_bound and form.is_valid():
        notifications.notification_preferences_set(
            user=request.user, notify_by_email=form.cleaned_data["notify_by_email"]
        )
        messages.success(request, _("通知设置已保存。"))
        return redirect("notification-settings")
    return render(request, "accounts/notification_settings.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password (required at first login for accounts an administrator set up)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        User.objects.filter(pk=self.request.user.pk).update(must_change_password=False)
        messages.success(self.request, _("密码已修改。"))
        return response
