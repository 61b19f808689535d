"""Writes of a person's own settings (the profile). Each one transaction, with its history row."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.history import save_tracked

from .models import REMINDER_MINUTES_DEFAULT, REMINDER_MINUTES_MAX, Profile

MSG_REMINDER = _("Enter a whole number of minutes from 0 to %(max)d.")


def reminder_minutes_of(user) -> int:
    """How long before a promised call `user` wants to be reminded."""
    minutes = Profile.objects.filter(user=user).values_list("reminder_minutes", flat=True).first()
    return REMINDER_MINUTES_DEFAULT if minutes is None else minutes


def reminder_minutes_parse(raw) -> int:
    """The minutes from a form or API value, or InvalidInput naming `reminder_minutes`."""
    text = str(raw).strip() if not isinstance(raw, bool) else ""
    minutes = int(text) if text.isdecimal() and text.isascii() and len(text) <= 4 else -1
    if not 0 <= minutes <= REMINDER_MINUTES_MAX:
        message = MSG_REMINDER % {"max": REMINDER_MINUTES_MAX}
        raise InvalidInput(message, fields={"reminder_minutes": [message]})
    return minutes


def profile_reminder_set(*, user, minutes) -> Profile:
    """Set how long before a promised call `user` is reminded (cases' promise sweep reads it)."""
    minutes = reminder_minutes_parse(minutes)
    with transaction.atomic():
        profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
        if profile.reminder_minutes != minutes:
            profile.reminder_minutes = minutes
            save_tracked(profile, user=user)
    return profile
