"""A mark that changes whenever anything a list or a statistic counts may have changed.

Every workflow step writes a timeline event (``proposals.events``), and every change made in the
Django admin and every import writes an audit record (``accounts.audit``, ``accounts.models.DATA_CHANGES``; a
login or a download does not change data and does not count): the newest id of each, with the
day (overdue and due-soon depend on it), is a version of the data.
A count stored under a version is exact for as long as the version stands; the next change makes
a new version, and the next page view counts again. Writes that bypass both (a Django shell)
are caught by the stored counts' lifetime (``LIST_COUNTS_SECONDS``).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone

from accounts.memo import once_per_request
from accounts.models import DATA_CHANGES, AuditRecord

from .models import Event


def data_version(today=None) -> str:
    """``<newest event id>.<newest data-changing audit record id>.<day>``, in one query (two
    index lookups: the audit one through a partial index on those actions); asked once per GET
    request (``accounts.memo``)."""
    day = (today or timezone.localdate()).isoformat()
    return f"{once_per_request('newest-changes', _newest_ids)}.{day}"


def _newest_ids() -> str:
    event, audit = Event._meta.db_table, AuditRecord._meta.db_table
    changes = ", ".join(["%s"] * len(DATA_CHANGES))
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT (SELECT MAX(id) FROM "{event}"), '
            f'(SELECT MAX(id) FROM "{audit}" WHERE action IN ({changes}))',
            DATA_CHANGES,
        )
        newest_event, newest_audit = cursor.fetchone()
    return f"{newest_event or 0}.{newest_audit or 0}"


def stored(name: str, query_or_key, compute):
    """``compute()``'s result, kept under the data's version and ``query_or_key`` (a queryset,
    whose SQL and parameters are the key, or a plain value) for ``LIST_COUNTS_SECONDS``; computed
    on every call when that is 0. The result must be picklable."""
    seconds = settings.LIST_COUNTS_SECONDS
    if not seconds:
        return compute()
    try:
        what = query_or_key.query.sql_with_params() if hasattr(query_or_key, "query") else query_or_key
    except EmptyResultSet:  # a query known to find nothing (an empty slice): nothing to store
        return compute()
    digest = hashlib.sha256(repr(what).encode()).hexdigest()[:32]
    key = f"{settings.LIMITS_KEY_PREFIX}:{name}:{data_version()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found
