"""OpenAPI request schemas derived from the Django forms that actually validate the input, so
the documentation cannot drift from the rules."""

from django import forms
from rest_framework import serializers

_FIELD_MAP = [
    (forms.DateTimeField, serializers.DateTimeField),
    (forms.DateField, serializers.DateField),
    (forms.DecimalField, serializers.DecimalField),
    (forms.BooleanField, serializers.BooleanField),
    (forms.MultipleChoiceField, serializers.MultipleChoiceField),
    (forms.TypedChoiceField, serializers.IntegerField),
    (forms.ModelChoiceField, serializers.IntegerField),  # before ChoiceField: it subclasses it
    (forms.ChoiceField, serializers.ChoiceField),
    (forms.IntegerField, serializers.IntegerField),
]


def _serializer_field(form_field):
    common = {"required": form_field.required, "help_text": str(form_field.label or "")}
    for form_type, serializer_type in _FIELD_MAP:
        if isinstance(form_field, form_type):
            if serializer_type in (serializers.ChoiceField, serializers.MultipleChoiceField):
                return serializer_type(choices=list(form_field.choices), **common)
            if serializer_type is serializers.DecimalField:
                return serializer_type(
                    max_digits=form_field.max_digits, decimal_places=form_field.decimal_places, **common
                )
            return serializer_type(**common)
    item_form = getattr(form_field, "item_form", None)
    if item_form is not None:
        return serializers.ListField(child=serializer_from_form(item_form, f"{item_form.__name__}Item")(), **common)
    return serializers.CharField(max_length=getattr(form_field, "max_length", None), **common)


def serializer_from_form(form_class, name, instance_kwargs=None):
    form = form_class(**(instance_kwargs or {}))
    attrs = {field_name: _serializer_field(field) for field_name, field in form.fields.items()}
    return type(name, (serializers.Serializer,), attrs)
