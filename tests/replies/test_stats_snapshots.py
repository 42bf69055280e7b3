"""The statistics page shows the numbers a worker last counted, says when, and recounts after changes.

At 100,000 proposals counting ten years takes seconds, so /stats/ reads a snapshot: the first
look counts at once; after any change the page still shows the snapshot, says it is being
recounted, and a worker (one task, however many look) brings it up to date.
"""

import datetime
from html import unescape
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import workflow as intake
from replies import stats_snapshots
from replies.models import StatsSnapshot
from replies.stats_views import stats_workbook
from replies.tasks import refresh_stats
from tests.conftest import wait_for
from tests.factories import DeputyFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return SessionFactory(term=18, number=2)


def register(session, cora, number):
    return intake.proposal_register(
        by=cora, session=session, number=number, title=f"关于第{number}条道路改造的建议",
        reasons="事由", suggestions="建议", lead_deputy=DeputyFactory(),
    )


def received(response) -> int:
    """The 「收到建议」 total of the delegation table, as the page prints it."""
    stats = response.context["stats"]
    return stats.delegations.total.cells[0].value


def page(client, session):
    response = client.get(reverse("stats"), {"session": session.pk})
    assert response.status_code == 200
    return response, unescape(response.content.decode())


@pytest.fixture
def no_lock(session):
    yield
    stats_snapshots.release(stats_snapshots.snapshot_key(session))
    stats_snapshots.release(StatsSnapshot.ALL)


def test_the_first_look_counts_at_once_and_says_when(client, cora, session, no_lock):
    register(session, cora, 1)
    client.force_login(cora)

    response, text = page(client, session)

    assert received(response) == 1
    snapshot = StatsSnapshot.objects.get(key=str(session.pk))
    assert f"统计于 {timezone.localtime(snapshot.computed_at):%Y年%-m月%-d日 %H:%M} 完成" in text
    assert "此后没有新的办理记录，数字是最新的。" in text


def test_after_a_change_the_page_shows_the_counted_numbers_marked_and_asks_one_recount(
    client, cora, session, no_lock, django_capture_on_commit_callbacks
):
    register(session, cora, 1)
    client.force_login(cora)
    page(client, session)
    register(session, cora, 2)  # writes a timeline event the snapshot has not counted

    with mock.patch("replies.tasks.refresh_stats.delay") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            response, text = page(client, session)
        with django_capture_on_commit_callbacks(execute=True):
            page(client, session)  # a second look while the first recount is queued

    assert received(response) == 1  # the counted numbers, not a recount in the request
    assert "此后有新的办理记录，正在重新统计，完成后本页自动更新。" in text
    assert [c.args[0] for c in queued.call_args_list] == [str(session.pk)]
    assert client.get(reverse("stats-status"), {"session": session.pk}).json()["current"] is False

    refresh_stats.apply(args=queued.call_args.args)  # what the worker does
    response, text = page(client, session)
    assert received(response) == 2 and "数字是最新的" in text
    assert client.get(reverse("stats-status"), {"session": session.pk}).json()["current"] is True


def test_a_snapshot_counted_yesterday_is_stale_because_overdue_depends_on_the_day(cora, session, no_lock):
    snapshot = stats_snapshots.refresh(session)
    assert stats_snapshots.is_current(snapshot)
    assert not stats_snapshots.is_current(snapshot, today=timezone.localdate() + datetime.timedelta(days=1))


def test_with_tasks_in_process_a_stale_snapshot_is_recounted_in_the_request(
    client, cora, session, eager_tasks, no_lock
):
    register(session, cora, 1)
    client.force_login(cora)
    page(client, session)
    register(session, cora, 2)

    response, text = page(client, session)

    assert received(response) == 2 and "数字是最新的" in text


def test_recount_on_request_is_for_the_offices_only(client, cora, alice, session, no_lock, django_capture_on_commit_callbacks):
    client.force_login(alice)
    assert client.post(reverse("stats-refresh"), {"session": session.pk}).status_code == 403
    assert client.get(reverse("stats-status"), {"session": session.pk}).status_code == 403
    assert client.get(reverse("stats-refresh")).status_code in (403, 405)

    client.force_login(cora)
    page(client, session)
    with mock.patch("replies.tasks.refresh_stats.delay") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(reverse("stats-refresh"), {"session": "all"})
    assert done.url == f"{reverse('stats')}?session=all"
    assert [c.args[0] for c in queued.call_args_list] == ["all"]
    assert client.get(reverse("stats-status"), {"session": "all"}).json()["counting"] is True
    _response, text = page(client, session)
    assert "重新统计" in text


def test_the_sweep_recounts_stale_snapshots_only_and_forgets_deleted_sessions(cora, session, no_lock):
    other = SessionFactory(term=18, number=3)
    stats_snapshots.refresh(session)
    stats_snapshots.refresh(other)
    StatsSnapshot.objects.create(key="999999", counts={}, as_of="0.0.2026-01-01", computed_at=timezone.now())
    register(session, cora, 1)

    counted = stats_snapshots.refresh_stale()

    assert counted == sorted([str(session.pk), str(other.pk)])  # both: the new event is newer than either
    assert not StatsSnapshot.objects.filter(key="999999").exists()
    assert stats_snapshots.refresh_stale() == []
    assert StatsSnapshot.objects.get(key=str(session.pk)).counts["total"]["received"] == 1


def test_the_excel_file_holds_the_numbers_the_page_shows(client, cora, session, no_lock):
    import io

    from openpyxl import load_workbook

    register(session, cora, 1)
    client.force_login(cora)
    response, _text = page(client, session)
    register(session, cora, 2)  # not yet counted: page and file both show the snapshot

    with mock.patch("replies.tasks.refresh_stats.delay"):
        book = load_workbook(io.BytesIO(client.get(reverse("stats-export"), {"session": session.pk}).content))
    totals = [row for row in book["代表团"].iter_rows(values_only=True) if row[0] == "合计"]
    assert totals[0][1] == received(response) == 1
    assert stats_workbook(response.context["stats"])  # the same tables


@pytest.mark.worker
def test_a_worker_recounts_and_the_page_follows(client, cora, session, celery_worker_factory):
    register(session, cora, 1)
    client.force_login(cora)
    page(client, session)
    register(session, cora, 2)
    celery_worker_factory()

    _response, text = page(client, session)
    assert "正在重新统计" in text

    def done():
        status = client.get(reverse("stats-status"), {"session": session.pk}).json()
        return status["current"] and not status["counting"]  # what the page's poll waits for

    wait_for(done, timeout=60)
    response, text = page(client, session)
    assert received(response) == 2 and "数字是最新的" in text
    assert not stats_snapshots.is_counting(session)


def test_an_admin_change_makes_the_numbers_stale_and_a_login_does_not(client, cora, admin_user, session, no_lock):
    from django.contrib.admin.models import CHANGE, LogEntry

    proposal = register(session, cora, 1)
    client.force_login(cora)
    page(client, session)

    client.logout()
    client.post(reverse("login"), {"username": "cora", "password": "wrong"})  # audited, changes nothing
    client.force_login(cora)
    with mock.patch("replies.tasks.refresh_stats.delay"):
        assert "数字是最新的" in page(client, session)[1]

    proposal.category = "economy"
    proposal.save()
    LogEntry.objects.log_actions(
        user_id=admin_user.pk, queryset=[proposal], action_flag=CHANGE, change_message="类别", single_object=True
    )
    with mock.patch("replies.tasks.refresh_stats.delay"):
        assert "正在重新统计" in page(client, session)[1]
