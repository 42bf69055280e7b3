from django.apps import AppConfig


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = "答复"

    def ready(self):
        from proposals.signals import assignment_replaced

        # Imported for what they register: the letter's system checks, the lifecycle's transitions.
        from . import checks, workflow  # noqa: F401
        from .drafts import cc_replace_in_drafts

        assignment_replaced.connect(cc_replace_in_drafts, dispatch_uid="replies.cc_replace_in_drafts")
        from . import notify  # noqa: F401 - connects the notifications to proposals' event_committed
