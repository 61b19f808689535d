"""Service errors shown on HTML forms: the one place a view turns `InvalidInput.fields` into what
the page shows, so every page names a problem the same way the API does (field by field)."""

from django.forms import BaseForm
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

# Translators: separator between field names in a list (Chinese uses 、).
LIST_SEPARATOR = _(", ")


def invalid_input(form: BaseForm, errors: dict, message) -> InvalidInput:
    """The error a service raises for `errors` (field → messages) found with `form`: `message` names
    the fields by their labels (or, with none, gives the form-wide messages), `fields` has them all."""
    labels = [str(form.fields[f].label) for f in errors if f in form.fields] or [
        str(m) for m in errors.get("__all__", [])
    ]
    return InvalidInput(message % {"fields": LIST_SEPARATOR.join(labels)}, fields=errors)


def valid_input(form_class, data, message) -> dict:
    """`data` (a dict or an HTML post) cleaned by `form_class`, or the InvalidInput naming the fields
    (`message` as for invalid_input). Anything else as data counts as empty."""
    form = form_class(data if isinstance(data, dict) or hasattr(data, "getlist") else {})
    if not form.is_valid():
        raise invalid_input(form, {field: list(messages) for field, messages in form.errors.items()}, message)
    return form.cleaned_data


def _add(form: BaseForm, field: str, messages) -> None:
    target = field if field in form.fields else None  # "__all__" and fields the form lacks
    # The service usually validated with this same form: a message the form already shows stays once.
    shown = {str(message) for message in form.errors.get(target or "__all__", [])}
    for message in messages:
        if str(message) not in shown:
            form.add_error(target, message)
            shown.add(str(message))


def add_service_errors(form: BaseForm, exc: InvalidInput) -> BaseForm:
    """Put each field's messages on that field of a bound form; `__all__` and fields the form does
    not have become non-field errors."""
    for field, messages in exc.fields.items():
        _add(form, field, messages)
    return form


def add_service_errors_to_forms(forms, exc: InvalidInput) -> None:
    """The same for a page that submits several forms at once (first contact: three steps): each
    field's messages go to the form that has the field, the rest to the first form."""
    forms = list(forms)
    if not forms:
        return
    for field, messages in exc.fields.items():
        owner = next((form for form in forms if field in form.fields), forms[0])
        _add(owner, field, messages)


def service_error_messages(exc: InvalidInput) -> list:
    """For a control that is not a Django form: every field's messages, else the summary."""
    return [message for messages in exc.fields.values() for message in messages] or [exc.message]
