from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked_history

from .roles import Role

# The sweep looks this far ahead for promises to remind of (cases/services/promise_sweeps.py).
REMINDER_MINUTES_MAX = 240
REMINDER_MINUTES_DEFAULT = 15


class Profile(models.Model):
    """Per-user settings: the zone times are shown in, and the supervisor this person reports to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    reminder_minutes = models.PositiveSmallIntegerField(
        _("remind me before a promise (minutes)"),
        default=REMINDER_MINUTES_DEFAULT,
        validators=[MaxValueValidator(REMINDER_MINUTES_MAX)],
        help_text=_("How long before a promised call you are reminded (0 to 240)."),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team supervisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_profiles",
        limit_choices_to={"groups__name": Role.SUPERVISOR},
        help_text=_("Told when one of this person's cases is withdrawn. When empty, every supervisor is told."),
    )
    history = tracked_history()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.user} ({self.time_zone})"
