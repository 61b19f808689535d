"""Query-parameter parsing shared by the API views: bad values become 400s naming the parameter."""

from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

MSG_WHOLE_NUMBER = _("A whole number is required.")


def body_dict(request) -> dict:
    """The request's JSON object, or {} when the body is anything else (a list, a string): the
    service then names each missing field."""
    return request.data if isinstance(request.data, dict) else {}


def query_int(value, name):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(fields={name: [MSG_WHOLE_NUMBER]}) from None


MSG_TRUE_OR_FALSE = _("Use true or false (or 1 or 0).")
# Compared case-insensitively: HTTP clients spell booleans True, true or TRUE.
TRUE_WORDS, FALSE_WORDS = ("true", "1"), ("false", "0")


def query_bool(value, name, *, default=False):
    if value in (None, ""):
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidInput(fields={name: [MSG_TRUE_OR_FALSE]})
