"""A day the team does not work although China does (a local closure): edited in the admin, read
by the business calendar (cases/business_calendar.py) on every promised time it checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked_history


class LocalClosure(models.Model):
    # Who added or changed a closure, and when, is in its history (the admin records the user).
    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=200)

    history = tracked_history()

    class Meta:
        verbose_name = _("local closure")
        verbose_name_plural = _("local closures")
        ordering = ("-date",)

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}"
