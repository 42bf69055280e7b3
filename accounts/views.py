"""The notification inbox and the user's notification preferences. Thin: every read and write
goes through accounts.notifications, and only ever touches the signed-in user's own rows."""

import base64
import io

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import notifications, twofactor
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


# --- two-factor login ----------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("动态口令"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
        help_text=_("身份验证器（如微信小程序、Microsoft Authenticator、Google Authenticator）显示的 6 位数字。"),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else reverse("home")


@login_required
def two_factor_setup(request):
    """Enrol an authenticator: scan the code (or type the key), then prove it with one code."""
    if twofactor.has_device(request.user):
        return redirect("two-factor-verify")
    device = twofactor.enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("code", _("尝试过于频繁，请稍候几秒再试。"))
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("已启用双因素登录。"))
            return redirect(_next(request))
        else:
            form.add_error("code", _("动态口令不正确，请核对手机时间后重试。"))
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/two_factor_setup.html", {"form": form, "key": key, "next": _next(request)})


@login_required
def two_factor_qr(request):
    device = twofactor.enrolment_device(request.user)
    if device.confirmed:
        raise Http404
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(svg, kind="svg", scale=5, border=2)
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def two_factor_verify(request):
    if not twofactor.has_device(request.user):
        return redirect("two-factor-setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.code_ok(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", _("动态口令不正确或已使用，请输入身份验证器上的新口令。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})
