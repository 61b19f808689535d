from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("Escalation")

    def ready(self):
        from cases.guards import register_guard

        from . import (
            authority,  # noqa: F401 - forgets the cached limits when one changes
            escalations,  # noqa: F401 - receives cases' escalation_triggered
            events,  # noqa: F401 - registers the case event kinds
        )
        from .approvals import agreement_guard  # also receives case events (opens and supersedes requests)
        from .panels import register_case_panels

        register_case_panels()
        register_guard("agree", agreement_guard)
