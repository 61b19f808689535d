from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked_history


class Profile(models.Model):
    """Per-user display preferences: times are shown in the user's zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    history = tracked_history()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.user} ({self.time_zone})"
