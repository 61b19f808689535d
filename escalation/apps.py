from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("Escalation")

    def ready(self):
        from cases.guards import register_guard

        from . import (
            authority,  # noqa: F401 - forgets the cached limits when one changes
            events,  # noqa: F401 - registers the case event kinds
            notify,  # noqa: F401 - tells the desk and the people who asked
            receivers,  # noqa: F401 - evaluates the rules on cases' hooks
        )
        from .approvals import agreement_guard  # also receives case events (opens and supersedes requests)
        from .panels import register_case_panels

        register_case_panels()
        register_guard("agree", agreement_guard)
        _rules_reload_on_type_change()


def _rules_reload_on_type_change():
    """A rule's customer types changed outside a save of the rule itself (which cases/apps.py already
    watches, as reference data): every process reloads its rules after commit."""
    from django.db import transaction
    from django.db.models.signals import m2m_changed

    from cases.reference import reference_changed

    from .models import EscalationRule

    def on_change(sender, **kwargs):
        transaction.on_commit(lambda: reference_changed(EscalationRule))

    m2m_changed.connect(
        on_change, sender=EscalationRule.customer_types.through, weak=False, dispatch_uid="escalation:rule_types"
    )
