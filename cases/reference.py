"""Reference data (categories, units, products) validated without a query per form.

Every intake and every Analyze step names a category; looking it up in the database each time
costs a round trip for a table that changes a few times a year. Each process keeps the active rows
and a version number; saving or deleting a row bumps the version in Django's cache (shared through
Redis in production), so every process reloads on its next use.
"""

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError

_local: dict = {}


def _version_key(model) -> str:
    return f"reference:{model._meta.label_lower}:version"


def reference_changed(model) -> None:
    try:
        cache.incr(_version_key(model))
    except ValueError:  # not in the cache yet
        cache.set(_version_key(model), 1, None)


def forget_local_rows() -> None:
    """Drop this process's copies (tests do, since their data is rolled back)."""
    _local.clear()


def active_rows(model) -> dict:
    version = cache.get(_version_key(model))
    if version is None:
        version = 1
        cache.add(_version_key(model), version, None)
    known = _local.get(model)
    if known is None or known[0] != version:
        known = (version, {row.pk: row for row in model.objects.filter(active=True)})
        _local[model] = known
    return known[1]


class ReferenceChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for reference data that validates against the cached active rows."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            key = int(value.pk if hasattr(value, "pk") else value)
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
        row = active_rows(self.queryset.model).get(key)
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row
