"""Event types: an enumeration other apps extend by registering theirs (code, label).

notifications/ knows no other app's models; the apps that raise events register their types here
(cases/notify.py registers the core ones), so the inbox and the preference page can label them.
"""

from django.utils.translation import gettext_lazy as _

_EVENT_TYPES: dict = {}


def register_event(code: str, label) -> None:
    _EVENT_TYPES[code] = label


def event_types() -> dict:
    return dict(_EVENT_TYPES)


def event_label(code: str):
    return _EVENT_TYPES.get(code, code)


# Unknown or legacy codes still display; this default keeps the preference page meaningful.
register_event("message", _("Message"))
