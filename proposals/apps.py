from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "建议"

    def ready(self):
        from . import workflow  # noqa: F401  (registers the intake transitions)
