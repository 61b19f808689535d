"""Reference data (categories, units, products, local closures) validated without a query per form.

Every intake and every Analyze step names a category; looking it up in the database each time
costs a round trip for a table that changes a few times a year. Each process keeps the active rows
and a version number; saving or deleting a row bumps the one shared version in Django's cache
(Redis in production). A process looks at the version at most once a second, so a change reaches
every process within a second, at the cost of one cache read per second instead of per form.
"""

import time

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError

VERSION_KEY = "reference:version"
VERSION_CHECK_SECONDS = 1.0

_local: dict = {}
_version_seen = {"value": None, "at": float("-inf")}


def reference_changed(model) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache yet
        cache.set(VERSION_KEY, 1, None)
    _version_seen["at"] = float("-inf")  # this process looks again at once


def _current_version():
    now = time.monotonic()
    if now - _version_seen["at"] >= VERSION_CHECK_SECONDS:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, None)
            version = cache.get(VERSION_KEY, 1)
        _version_seen.update(value=version, at=now)
    return _version_seen["value"]


def forget_local_rows() -> None:
    """Drop this process's copies (tests do, since their data is rolled back)."""
    _local.clear()
    _version_seen["at"] = float("-inf")


def cached(key, load):
    """`load()`'s result, kept by this process until a reference row changes anywhere."""
    version = _current_version()
    known = _local.get(key)
    if known is None or known[0] != version:
        known = (version, load())
        _local[key] = known
    return known[1]


def active_rows(model) -> dict:
    return cached(model, lambda: {row.pk: row for row in model.objects.filter(active=True)})


def active_rows_by_code(model) -> dict:
    return {row.code: row for row in active_rows(model).values()}


class _CachedRows(forms.models.ModelChoiceIterator):
    """A select's options from the process's cached active rows, in their model's order: a page that
    shows the form costs no query for them."""

    def _rows(self):
        model = self.queryset.model
        order = [name.lstrip("-") for name in model._meta.ordering] or ["pk"]
        return sorted(active_rows(model).values(), key=lambda row: [getattr(row, name) for name in order])

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self._rows():
            yield self.choice(row)

    def __len__(self):
        return len(self._rows()) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self._rows())


class ReferenceChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for reference data that validates against the cached active rows, and
    offers them from the same cache.

    A row is named by its code — what the API answers with and lists at /api/reference/… — or by its
    id (the page's select sends ids; older API clients too)."""

    iterator = _CachedRows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "pk"):
            value = value.pk
        model = self.queryset.model
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if isinstance(value, int) or (isinstance(value, str) and value.isdecimal()):
            row = active_rows(model).get(int(value))
        elif isinstance(value, str):
            row = active_rows_by_code(model).get(value.strip())
        else:
            row = None
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row
