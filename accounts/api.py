from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings


class TokenObtainApi(ObtainAuthToken):
    """DRF's token login, reading its body with the project's parsers (core/parsers.py: depth, text
    and number limits) instead of the plain ones ObtainAuthToken names for itself."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
