"""`{{ case|display:"state" }}`: what `case.get_state_display` shows, from a table per field and
language (core/display.py) instead of Django's choices dict rebuilt on every call."""

from django import template

from core.display import choice_label

register = template.Library()


@register.filter
def display(obj, field_name):
    """The label of `obj`'s choice field `field_name` in the active language (the stored value
    when it is not one of the choices); nothing for no object."""
    return "" if obj is None else choice_label(obj, field_name)
