"""The audit log (审计日志): one writer, the receivers that feed it, and its Excel export.

Every security event goes through ``audit_record``: logins, failures and lockouts, logouts,
refusals (403), downloads, signing, release, and every change made in the Django admin. The
writer never raises into the caller: an action must not fail because its record could not be
written (the failure is logged instead). It writes in a savepoint of its own, so a failed insert
inside a caller's transaction leaves that transaction usable.

Records written deeper down than a view (signing, release, the admin's log entries) take the
address from the request being served, which ``AuditMiddleware`` makes known here.
"""

import contextlib
import dataclasses
import functools
import io
import ipaddress
import logging
from contextvars import ContextVar

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from .models import AuditRecord
from .spreadsheets import append_rows

log = logging.getLogger("jianyi.audit")

Action, Outcome = AuditRecord.Action, AuditRecord.Outcome

_current_request: ContextVar = ContextVar("jianyi_audit_request", default=None)


@dataclasses.dataclass(frozen=True)
class ObjectRef:
    """An object named by type, id and text, for records about objects that may be gone."""

    type: str
    id: str
    text: str


@contextlib.contextmanager
def request_context(request):
    """While this runs, records written without a request are about ``request``."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def _address(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a trusted proxy set it.
    value = (request.META.get("REMOTE_ADDR") or "").strip() if request is not None else ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _describe(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    if isinstance(obj, ObjectRef):
        return obj.type, str(obj.id), obj.text
    return obj._meta.label_lower, str(obj.pk), str(obj)


def audit_record(
    *,
    action: str,
    request=None,
    user=None,
    obj=None,
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
    username: str = "",
) -> AuditRecord | None:
    """Record one security event; returns the record, or None if it could not be written.

    ``user`` defaults to the request's user; ``username`` is for when there is no user (the name
    tried at a failed login). ``request`` defaults to the request being served, if any.
    """
    try:
        if request is None:
            request = _current_request.get()
        if user is None and request is not None:
            user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_pk, username = user.pk, user.get_username()
        else:
            user_pk = None
        object_type, object_id, object_repr = _describe(obj)
        with transaction.atomic():
            return AuditRecord.objects.create(
                action=action,
                outcome=outcome,
                user_pk=user_pk,
                username=str(username or "")[:150],
                address=_address(request),
                object_type=object_type[:100],
                object_id=object_id[:64],
                object_repr=object_repr[:200],
                detail=str(detail or ""),
                request_id=str(getattr(request, "id", "") or "")[:32],
            )
    except Exception:
        log.exception("audit record %s (%s) could not be written", action, outcome)
        return None


# --- receivers (connected in AccountsConfig.ready) ---------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    audit_record(action=Action.LOGIN, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the name tried: the password (already masked by Django) is never read.
    tried = credentials.get("username", "") if isinstance(credentials, dict) else ""
    audit_record(action=Action.LOGIN, request=request, outcome=Outcome.FAILURE, username=tried)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """django-axes sends this when an account or address gets locked, and again for every
    attempt while it stays locked (each also a failed login)."""
    audit_record(
        action=Action.LOCKOUT, request=request, outcome=Outcome.REFUSED, username=username or ""
    )


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:  # logging out with no session records nothing
        audit_record(action=Action.LOGOUT, request=request, user=user)


_ADMIN_ACTIONS = {ADDITION: Action.ADMIN_ADD, CHANGE: Action.ADMIN_CHANGE, DELETION: Action.ADMIN_DELETE}


def log_entry_record(entry: LogEntry) -> None:
    """One admin log entry (add, change or delete, with its change message) as an audit record."""
    if getattr(entry, "_jianyi_audited", False):
        return
    entry._jianyi_audited = True
    content_type = entry.content_type
    audit_record(
        action=_ADMIN_ACTIONS.get(entry.action_flag, Action.ADMIN_CHANGE),
        user=entry.user,
        obj=ObjectRef(
            type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
            id=entry.object_id or "",
            text=entry.object_repr,
        ),
        detail=entry.get_change_message(),
    )


def on_log_entry_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        log_entry_record(instance)


def record_bulk_log_entries() -> None:
    """Deleting several objects at once in the admin writes its log entries with
    ``bulk_create``, which sends no ``post_save``; record those entries as they are returned."""
    original = LogEntryManager.log_actions
    if getattr(original, "_jianyi_audited", False):
        return

    @functools.wraps(original)
    def log_actions(self, *args, **kwargs):
        entries = original(self, *args, **kwargs)
        for entry in entries if isinstance(entries, list) else [entries]:
            log_entry_record(entry)  # entries post_save already recorded are skipped
        return entries

    log_actions._jianyi_audited = True
    LogEntryManager.log_actions = log_actions


# --- the Excel export -----------------------------------------------------------------------

EXPORT_LIMIT = 100_000
EXPORT_FIELDS = [
    "created_at", "user_pk", "username", "address", "action", "outcome",
    "object_type", "object_id", "object_repr", "detail", "request_id",
]


def audit_xlsx(records) -> bytes:
    """The records as an .xlsx workbook, one row each; text stays text, even 「=cmd」."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(AuditRecord._meta.verbose_name))
    fields = {f.name: f for f in AuditRecord._meta.fields}
    labels = {"action": dict(Action.choices), "outcome": dict(Outcome.choices)}

    def shown(name, value):
        if name == "created_at":
            return timezone.localtime(value).replace(tzinfo=None)
        return str(labels[name].get(value, value)) if name in labels else value

    header = [str(fields[name].verbose_name) for name in EXPORT_FIELDS]
    rows = (
        [shown(name, value) for name, value in zip(EXPORT_FIELDS, values, strict=True)]
        for values in records.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000)
    )
    append_rows(sheet, [header])
    append_rows(sheet, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
