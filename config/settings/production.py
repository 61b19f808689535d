"""Production profile: everything `manage.py check --deploy` asks for.

TLS is terminated in front of the ASGI processes; the proxy must set X-Forwarded-Proto. On a test box
without TLS, SECURE_SSL_REDIRECT=0, SECURE_COOKIES=0 and SECURE_HSTS_SECONDS=0 let the same profile
run over plain HTTP (README: "The production profile on a test box"); never in production.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Browsers send secure cookies over HTTPS only: over plain HTTP nobody could log in.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
