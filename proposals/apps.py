from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "建议"

    def ready(self):
        from django.db.models import Field

        from .lookups import AnyOf

        Field.register_lookup(AnyOf)
        # Register the intake transitions, in the order pages offer them.
        from . import workflow  # noqa: F401, I001
        from . import supervision  # noqa: F401
