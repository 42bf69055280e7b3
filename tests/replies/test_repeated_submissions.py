"""Repeated submissions are idempotent and say what happened: a double-clicked 签发, a
double-submitted export form, a double-clicked re-render."""

import threading
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from replies import pdf, workflow
from replies.models import ExportJob, LetterPdf, Reply
from tests.workflow_helpers import to_in_review

from .pdf_helpers import signed_reply


def test_a_double_clicked_sign_says_it_was_signed(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    client.force_login(lily)
    url = reverse("assignment-transition", args=[assignment.pk, "sign"])
    client.post(url)
    second = client.post(url, follow=True).content.decode()
    assert "已签发" in second and "不能执行" not in second
    assert Reply.objects.filter(assignment=assignment, signed_at__isnull=False).count() == 1


def test_someone_else_trying_the_same_step_is_still_told_why_not(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    workflow.reply_sign(assignment=assignment, by=lily)
    client.force_login(alice)  # alice did not sign: she tries to submit again, and is told
    page = client.post(reverse("assignment-transition", args=[assignment.pk, "submit"]), follow=True).content.decode()
    assert "不能执行" in page


def test_a_double_submitted_export_form_makes_one_job(client, cora, proposal):
    client.force_login(cora)
    with mock.patch("replies.exports._dispatch"):
        first = client.post(reverse("export-new"), {"session": proposal.session.pk})
        second = client.post(reverse("export-new"), {"session": proposal.session.pk})
    assert ExportJob.objects.count() == 1 and first.url == second.url


@pytest.mark.django_db(transaction=True)
def test_two_re_renders_at_once_take_two_generations(media_root, proposal, cora, alice, lily, bureau_a, admin_user):
    with mock.patch("replies.pdf._send"):
        reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    errors, barrier = [], threading.Barrier(2)

    def rerender():
        try:
            barrier.wait()
            workflow.reply_pdf_rerender(reply=Reply.objects.get(pk=reply.pk), by=admin_user)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    with mock.patch("replies.pdf._send"):
        threads = [threading.Thread(target=rerender) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert sorted(LetterPdf.objects.filter(reply=reply).values_list("generation", flat=True)) == [1, 2, 3]
    assert pdf.current_pdf(reply).generation == 3
