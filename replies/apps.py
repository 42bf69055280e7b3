from django.apps import AppConfig


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = "答复"

    def ready(self):
        from . import checks  # noqa: F401  (registers the letter's system checks)
