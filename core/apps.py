from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: errors and their HTTP mapping, history, API helpers, pagination.
    Imports no other app of this project (import-linter checks it)."""

    name = "core"
    verbose_name = _("Core")
