from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("Escalation")

    def ready(self):
        from . import (
            escalations,  # noqa: F401 - receives cases' escalation_triggered
            events,  # noqa: F401 - registers the case event kinds
        )
        from .panels import register_case_panels

        register_case_panels()
