"""Remove audit records older than the retention (``AUDIT_RETENTION_DAYS``, at least 184 days).

The only way audit records are ever deleted: the model refuses to delete one record at a time,
and this removes the expired ones in bulk. Run it daily (cron or a systemd timer).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditRecord


class Command(BaseCommand):
    help = "Remove audit records older than AUDIT_RETENTION_DAYS (JIANYI_AUDIT_RETENTION_DAYS)."

    def handle(self, *args, **options):
        days = settings.AUDIT_RETENTION_DAYS
        cutoff = timezone.now() - datetime.timedelta(days=days)
        removed, _per_model = AuditRecord.objects.filter(created_at__lt=cutoff).delete()
        audit_record(
            action=AuditRecord.Action.AUDIT_PURGE,
            detail=f"removed {removed} records older than {days} days (before {cutoff:%Y-%m-%d %H:%M:%S %z})",
        )
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} audit records older than {days} days."))
