"""API token authentication with the token → user lookup cached.

Every CTI/CRM call authenticates; caching the lookup (Redis in production) saves that round trip.
The entry carries the user's roles too. Deleting a token, saving or deleting its user (deactivation
included) or changing the user's groups drops the entry at once (accounts/signals.py); the timeout
is only a safety net. Keys are hashes, never the token itself.
"""

import hashlib

from django.core.cache import cache
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .roles import roles_of

TOKEN_CACHE_TIMEOUT = 300


def token_cache_key(key: str) -> str:
    return "accounts:token:" + hashlib.sha256(key.encode()).hexdigest()


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user = cache.get(token_cache_key(key))
        if user is None:
            user, token = super().authenticate_credentials(key)
            roles_of(user)  # cached with the user, so an API call reads the cache once
            cache.set(token_cache_key(key), user, TOKEN_CACHE_TIMEOUT)
            return user, token
        if not user.is_active:  # belt and braces: a deactivated user's entry is dropped on save
            raise AuthenticationFailed("User inactive or deleted.")
        return user, key
