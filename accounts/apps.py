from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与单位"

    def ready(self):
        # The audit log's sources outside any view: Django's login signals, django-axes'
        # lockout, and the admin's log entries (accounts/audit.py).
        from axes.signals import user_locked_out
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_save

        from . import audit

        user_logged_in.connect(audit.on_logged_in, dispatch_uid="jianyi_audit_login")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="jianyi_audit_login_failed")
        user_logged_out.connect(audit.on_logged_out, dispatch_uid="jianyi_audit_logout")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="jianyi_audit_locked_out")
        post_save.connect(audit.on_log_entry_saved, sender=LogEntry, dispatch_uid="jianyi_audit_admin")
        audit.record_bulk_log_entries()
