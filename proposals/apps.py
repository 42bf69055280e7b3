from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "建议"

    def ready(self):
        # Register the intake transitions, in the order pages offer them.
        from . import workflow  # noqa: F401, I001
        from . import supervision  # noqa: F401
