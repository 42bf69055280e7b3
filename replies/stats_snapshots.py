"""The statistics page reads the numbers a worker last counted (a snapshot), not a recount per view.

Counting ten years at 100,000 proposals takes seconds; the page shows the snapshot at once, with
the time it was counted. A snapshot is current while no timeline event is newer than the ones it
counted (every state change writes one), no audit record either (every change in the Django
admin and every import writes one), and it was counted today (overdue depends on the day): while
``proposals.versions.data_version`` is the one it was counted under.
When it is not, the page still shows it, says so, and asks a worker to count again (once: a cache
key stops a second request while one is queued); the page polls ``/stats/status/`` and reloads
when the new numbers are in. The beat schedule recounts stale snapshots every few minutes, so
the page is usually current before anyone looks. With no snapshot yet (the first look at a
session) the view counts at once. With tasks run in-process (no Redis) a stale snapshot is
recounted in the request.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from proposals.models import Session
from proposals.versions import data_version

from .models import StatsSnapshot
from .stats import Stats, stats_counts, stats_from_counts

log = logging.getLogger(__name__)

# A queued recount holds this key; a worker that died frees it after this many seconds.
REFRESH_LOCK_SECONDS = 600


def snapshot_key(session: Session | None) -> str:
    return str(session.pk) if session else StatsSnapshot.ALL


def session_of(key: str) -> Session | None:
    """The session a key names; None for all sessions (and for a session since deleted)."""
    return None if key == StatsSnapshot.ALL else Session.objects.filter(pk=key).first()


def snapshot_of(session: Session | None) -> StatsSnapshot | None:
    return StatsSnapshot.objects.filter(key=snapshot_key(session)).first()


def is_current(snapshot: StatsSnapshot, *, version: str | None = None, today=None) -> bool:
    return snapshot.as_of == (version or data_version(today))


def refresh(session: Session | None) -> StatsSnapshot:
    """Count now and keep the numbers. The version is read before counting, so a change made
    while counting leaves the snapshot stale (counted again), never wrongly current."""
    today, started = timezone.localdate(), time.perf_counter()
    version = data_version(today)
    counts = stats_counts(session=session, today=today)
    snapshot, _created = StatsSnapshot.objects.update_or_create(
        key=snapshot_key(session),
        defaults={
            "counts": counts, "as_of": version,
            "computed_at": timezone.now(), "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return snapshot


def _lock(key: str) -> str:
    return f"{settings.LIMITS_KEY_PREFIX}:stats-refresh:{key}"


def release(key: str, lock: str | None = None) -> None:
    """Free the recount's cache key (``lock``: the key's full name, as the page that queued it
    named it)."""
    cache.delete(lock or _lock(key))


def request_refresh(session: Session | None) -> None:
    """Ask a worker to count again, once the request's transaction commits; nothing when a
    recount is already asked for (a cache key holds it), or when the broker is away (the beat
    schedule's sweep counts it then)."""
    key = snapshot_key(session)

    def send():
        from .tasks import refresh_stats

        lock = _lock(key)
        if not cache.add(lock, 1, timeout=REFRESH_LOCK_SECONDS):
            return
        try:
            refresh_stats.delay(key, lock)
        except Exception:
            release(key)
            log.warning("could not queue the statistics recount for %s", key, exc_info=True)

    transaction.on_commit(send)


def _in_process() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def is_counting(session: Session | None) -> bool:
    """A recount is queued or running."""
    return bool(cache.get(_lock(snapshot_key(session))))


def refresh_now(session: Session | None) -> None:
    """「重新统计」: count again whatever the snapshot says (for a write that left neither an event
    nor an audit record, such as one from a Django shell); in-process when tasks run in-process."""
    if _in_process():
        refresh(session)
    else:
        request_refresh(session)


@dataclass
class ShownStats:
    stats: Stats
    snapshot: StatsSnapshot
    current: bool  # no change since it was counted


def shown_stats(session: Session | None) -> ShownStats:
    """What the statistics page and its Excel file show: the snapshot, counted now when there is
    none (or when tasks run in-process), else a recount asked for when it is stale."""
    snapshot = snapshot_of(session)
    current = snapshot is not None and is_current(snapshot)
    if snapshot is None or (not current and _in_process()):
        snapshot, current = refresh(session), True
    elif not current:
        request_refresh(session)
    return ShownStats(stats_from_counts(session, snapshot.counts), snapshot, current)


def refresh_stale() -> list[str]:
    """Recount every snapshot that is stale (the beat schedule's sweep); the keys counted."""
    version, counted = data_version(), []
    for snapshot in StatsSnapshot.objects.order_by("key"):
        if is_current(snapshot, version=version):
            continue
        session = session_of(snapshot.key)
        if session is None and snapshot.key != StatsSnapshot.ALL:
            snapshot.delete()  # its session is gone
            continue
        refresh(session)
        counted.append(snapshot.key)
    return counted
