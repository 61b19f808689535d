from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Intake")

    def ready(self):
        from .panels import register_case_panels

        register_case_panels()
