from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import SESSION_TZ_KEY
from .models import Profile


@receiver(user_logged_in)
def remember_time_zone(sender, request, user, **kwargs):
    profile = Profile.objects.filter(user=user).only("time_zone").first()
    if profile and request is not None and hasattr(request, "session"):
        request.session[SESSION_TZ_KEY] = profile.time_zone
