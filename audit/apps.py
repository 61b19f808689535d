from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The auditors' workspace: it reads what the other apps record (cases, their history, promises,
    escalations, letters) and adds only its own records (quality samples, scorecards). No app imports
    it."""

    name = "audit"
    verbose_name = _("Audit and quality review")
