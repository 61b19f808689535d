from django import template

from accounts.people import display_name

register = template.Library()


@register.filter(name="display_name")
def display_name_filter(user):
    return display_name(user)
