from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: errors and their HTTP mapping, history, API helpers, pagination.
    Imports no other app of this project (import-linter checks it)."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .append_only import install_after_migrate

        post_migrate.connect(install_after_migrate, dispatch_uid="core.history_append_only")
