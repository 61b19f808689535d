from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Intake")

    def ready(self):
        from . import corrections  # noqa: F401 - registers the customer_corrected event kind
        from .panels import register_case_panels

        register_case_panels()
