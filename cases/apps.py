from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.apps import apps
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from . import (
            checks,
            letter_views,
            notify,  # noqa: F401 - registers the event types and the receiver
            promise_rules,
            retention,
        )
        from .models import AvoidPhrase, BilingualName, DeadlinePolicy, LocalClosure
        from .reference import reference_changed

        promise_rules.register()
        checks.register()
        retention.register_case_panels()
        letter_views.register_case_panels()

        def on_change(sender, **kwargs):
            # After commit: a process that reloads must never see a row that is then rolled back.
            transaction.on_commit(lambda: reference_changed(sender))

        for model in apps.get_models():
            # Reference data, the closures the business calendar reads on every promised time, and the
            # deadline policies read at every intake, the phrases a letter is checked against.
            if issubclass(model, BilingualName) or model in (LocalClosure, DeadlinePolicy, AvoidPhrase):
                post_save.connect(
                    on_change, sender=model, weak=False, dispatch_uid=f"reference:{model._meta.label}:save"
                )
                post_delete.connect(
                    on_change, sender=model, weak=False, dispatch_uid=f"reference:{model._meta.label}:delete"
                )
