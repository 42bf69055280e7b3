"""A confirmed import is run by a real Celery worker; the clerk's page follows it to the end."""

import datetime

import pytest
from django.urls import reverse

from proposals.models import ImportJob, Proposal
from tests.conftest import wait_for

from ..factories import SessionFactory
from .xlsx import PROPOSAL_HEADER, upload, xlsx

pytestmark = pytest.mark.worker


def test_a_worker_imports_the_file_and_the_page_reports_it(client, celery_worker_factory, cora, dora, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the worker is started with this folder
    session = SessionFactory(term=18, number=2, starts_on=datetime.date(2026, 1, 6), ends_on=datetime.date(2026, 1, 9))
    rows = [[n, f"关于第{n}条道路改造的建议", "罗冲", "", "会议期间", "其他", "事由", "建议", datetime.date(2026, 1, 5)]
            for n in range(1, 41)]
    client.force_login(cora)
    preview = client.post(reverse("import-upload", args=["proposals"]), {"session": session.pk, "file": upload(xlsx(PROPOSAL_HEADER, *rows))})
    celery_worker_factory()

    done = client.post(reverse("import-confirm", args=["proposals"]), {"token": preview.context["token"]})

    job = ImportJob.objects.get()
    assert done.url == reverse("import-job", args=[job.pk])
    status = wait_for(lambda: (s := client.get(reverse("import-job-status", args=[job.pk])).json())["state"] == "done" and s)
    assert status["done"] == status["total"] == 40 and status["percent"] == 100
    assert Proposal.objects.filter(session=session).count() == 40
    assert "已导入 40 件建议" in client.get(done.url).content.decode()
