"""Two-factor login for those who sign and for admins, and a fresh code to sign."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from replies.models import Reply
from tests.workflow_helpers import to_in_review


def code_for(device, later_steps=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + later_steps * device.step
    return f"{totp.token():06d}"


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA = True


def log_in(username):
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": "pw"}).status_code == 302
    return client


def test_a_leader_enrols_at_first_login_and_then_works(required, lily):
    client = log_in("lily")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor-setup"))
    page = client.get(reverse("two-factor-setup")).content.decode()
    assert "身份验证器" in page and client.get(reverse("two-factor-qr"))["Content-Type"] == "image/svg+xml"
    device = TOTPDevice.objects.get(user=lily)
    assert client.post(reverse("two-factor-setup"), {"code": "000000"}).status_code == 200  # wrong: stays
    time.sleep(1.1)  # a wrong code throttles the next try for a second
    assert client.post(reverse("two-factor-setup"), {"code": code_for(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    again = log_in("lily")  # the next login asks for a code, not a new enrolment
    assert again.get(reverse("home")).url.startswith(reverse("two-factor-verify"))
    assert again.post(reverse("two-factor-verify"), {"code": code_for(device, 1)}).status_code == 302
    assert again.get(reverse("home")).status_code == 200


def test_staff_need_no_second_factor(required, alice):
    assert log_in("alice").get(reverse("home")).status_code == 200


def test_admins_need_it_too(required, admin_user):
    admin_user.set_password("pw")
    admin_user.save()
    client = log_in(admin_user.username)
    assert client.get("/admin/").status_code == 302


def test_signing_asks_for_a_fresh_code(required, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    device = TOTPDevice.objects.create(user=lily, name="手机", confirmed=True)
    client = log_in("lily")
    login_code = code_for(device)
    client.post(reverse("two-factor-verify"), {"code": login_code})
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert 'name="code"' in page[page.index("/do/sign/"):][:1200]
    url = reverse("assignment-transition", args=[assignment.pk, "sign"])
    for code in ("", login_code):  # none, or the one already used to log in: refused
        text = client.post(url, {"code": code}, follow=True).content.decode()
        assert "动态口令" in text and not Reply.objects.get(assignment=assignment).is_signed
    client.post(url, {"code": code_for(device, 1)})
    assert Reply.objects.get(assignment=assignment).is_signed


def test_off_by_default_for_the_demo(lily):
    assert log_in("lily").get(reverse("home")).status_code == 200
