"""Query-parameter parsing shared by the API views: bad values become 400s naming the parameter."""

from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

MSG_WHOLE_NUMBER = _("A whole number is required.")


def query_int(value, name):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(fields={name: [MSG_WHOLE_NUMBER]}) from None
