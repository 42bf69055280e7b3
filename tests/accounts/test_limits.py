"""Expensive requests are limited per user: a few a minute and one at a time."""

from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from replies.letter import RenderedPdf
from replies.models import ExportJob
from tests.workflow_helpers import to_drafting, write_reply

FAKE = RenderedPdf(content=b"%PDF-1.4 preview", page_count=1, sha256="0" * 64, size=16)


def test_previews_are_limited_to_six_a_minute_per_user(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice)
    url = reverse("reply-preview", args=[assignment.pk])
    client.force_login(alice)
    with mock.patch("replies.preview.render_on_request", return_value=FAKE):
        codes = [client.get(url).status_code for _ in range(7)]
        assert codes == [200] * 6 + [429]
        assert "操作过于频繁" in client.get(url).content.decode()
        other = Client()
        other.force_login(lily)  # another user is not held back
        assert other.get(url).status_code == 200


def test_one_render_at_a_time(client, proposal, cora, alice, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice)
    client.force_login(alice)
    cache.set(f"{settings.LIMITS_KEY_PREFIX}:pdf:{alice.pk}:busy", 1, timeout=60)  # a render in flight
    response = client.get(reverse("reply-preview", args=[assignment.pk]))
    assert response.status_code == 429 and "还在处理中" in response.content.decode()
    cache.delete(f"{settings.LIMITS_KEY_PREFIX}:pdf:{alice.pk}:busy")


def test_export_jobs_are_limited_to_three_a_minute(client, cora, proposal):
    client.force_login(cora)
    with mock.patch("replies.exports._dispatch"):
        codes = [
            client.post(reverse("export-new"), {"session": proposal.session.pk, "category": category}).status_code
            for category in ("economy", "urban", "social", "welfare")
        ]
    assert codes == [302, 302, 302, 429]
    assert ExportJob.objects.count() == 3
