"""OpenAPI request schemas derived from the Django forms that actually validate the input, so
the documentation cannot drift from the rules."""

from django import forms
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

_FIELD_MAP = [
    (forms.DateTimeField, serializers.DateTimeField),
    (forms.DateField, serializers.DateField),
    (forms.DecimalField, serializers.DecimalField),
    (forms.BooleanField, serializers.BooleanField),
    (forms.MultipleChoiceField, serializers.MultipleChoiceField),
    (forms.TypedChoiceField, serializers.IntegerField),
    # Reference data is named by its code (listed at /api/reference/…); before ChoiceField: it subclasses it.
    (forms.ModelChoiceField, serializers.CharField),
    (forms.ChoiceField, serializers.ChoiceField),
    (forms.IntegerField, serializers.IntegerField),
]


def _serializer_field(form_field):
    help_text = " — ".join(str(text) for text in (form_field.label, form_field.help_text) if text)
    common = {"required": form_field.required, "help_text": help_text}
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


class ErrorOut(serializers.Serializer):
    """What every API error answers (core/errors.py)."""

    code = serializers.CharField(help_text="invalid, forbidden, not_found, conflict, not_authenticated, …")
    detail = serializers.CharField(help_text="a sentence for people, in the request's language")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='field path → messages; "__all__" for errors of no single field',
    )


ERROR_DESCRIPTIONS = {
    "400": "invalid input: `fields` names each field and the reason",
    "401": "not authenticated (no or a wrong token)",
    "403": "your role does not allow this",
    "404": "no such record or path",
    "409": "not possible in the record's current state, or it changed meanwhile (send `expected_state`)",
    "415": "the body is not JSON (send Content-Type: application/json)",
    "500": "a failure on our side; nothing was saved",
}
# Reads cannot be refused for input of the body's type.
WRITE_ONLY_ERRORS = {"409", "415"}


class ErrorDocumentingSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus the error responses every operation can give, each with
    the one error shape, so a client can be written from the schema alone."""

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        for status, description in ERROR_DESCRIPTIONS.items():
            if status in bodies or (status in WRITE_ONLY_ERRORS and self.method == "GET"):
                continue
            bodies[status] = self._get_response_for_code(
                OpenApiResponse(ErrorOut, description=description), status, direction=direction
            )
        return bodies
