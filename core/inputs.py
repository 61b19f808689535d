"""Input a form may accept, whatever sent it: an HTML post (strings only) or a JSON body (any type).

Django's form fields were written for HTML posts and coerce whatever they get: a CharField turns
`{"said": [1]}` into the text "{'said': [1]}", a BooleanField takes any non-empty value as true, a
DateTimeField takes 0001-01-01 — which PostgreSQL stores and then cannot hand back once converted to
UTC. `StrictInputForm` checks, for every field of every form built on it, before the value is used:

- the raw value's type fits the field (text for text, a whole number for ids, true/false for ticks,
  a list for multiple choices), so nothing is stored as a Python repr;
- text is storable on every database: no NUL character (PostgreSQL refuses it), no lone UTF-16
  surrogate (not encodable as UTF-8);
- every date and time lies in a window any later read can handle (1970 to the end of 2099).

Each problem is an error on that field, with a message naming the reason; the field's own rules run
as usual on values that pass.
"""

import datetime as dt
import math
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

DATETIME_MIN = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DATETIME_MAX = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2099, 12, 31)

MSG_TEXT = _("Enter text here.")
MSG_WHOLE_NUMBER = _("Enter a whole number.")
MSG_NUMBER = _("Enter a number.")
MSG_TRUE_FALSE = _("Enter true or false.")
MSG_LIST = _("Enter a list of values.")
MSG_NUL = _("Text cannot contain the NUL character.")
MSG_SURROGATE = _("Text contains a character that is not valid Unicode.")
MSG_DATETIME_RANGE = _("Enter a date and time between 1970 and 2099.")
MSG_DATE_RANGE = _("Enter a date between 1900 and 2099.")

# What an HTML checkbox or a JSON-minded client may send for a tick.
BOOLEAN_STRINGS = {"on", "off", "true", "false", "1", "0", "yes", "no"}


def text_problem(value: str):
    """Why `value` cannot be stored as text, or None."""
    if "\x00" in value:
        return MSG_NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return MSG_SURROGATE
    return None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_problem(field, value):
    """Why the raw `value` does not fit `field`'s type, or None. Empty values are the field's business."""
    if isinstance(field, forms.BooleanField):
        ok = isinstance(value, bool) or value in (0, 1) or (isinstance(value, str) and value.lower() in BOOLEAN_STRINGS)
        return None if ok else MSG_TRUE_FALSE
    if isinstance(field, forms.MultipleChoiceField):
        return None if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value) else MSG_LIST
    if isinstance(field, (forms.IntegerField, forms.ModelChoiceField)) or (
        isinstance(field, forms.TypedChoiceField) and field.coerce is int
    ):
        if isinstance(field, forms.DecimalField):  # a subclass of IntegerField
            if isinstance(value, float) and not math.isfinite(value):
                return MSG_NUMBER
            return None if _is_int(value) or isinstance(value, (str, float, Decimal)) else MSG_NUMBER
        return None if _is_int(value) or isinstance(value, str) else MSG_WHOLE_NUMBER
    if isinstance(field, (forms.DateTimeField, forms.DateField)):
        return None if isinstance(value, (str, dt.date)) else MSG_TEXT
    if isinstance(field, (forms.CharField, forms.ChoiceField)):
        return None if isinstance(value, str) else MSG_TEXT
    return None


def range_problem(value):
    """Why a date or time lies outside the window every later read handles, or None."""
    if isinstance(value, dt.datetime):
        try:
            in_range = DATETIME_MIN <= value.astimezone(dt.UTC) < DATETIME_MAX
        except (OverflowError, ValueError):  # 0001-01-01 with an offset has no UTC equivalent
            in_range = False
        return None if in_range else MSG_DATETIME_RANGE
    if isinstance(value, dt.date):
        return None if DATE_MIN <= value <= DATE_MAX else MSG_DATE_RANGE
    return None


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, str):
                yield item


class StrictInputForm(forms.Form):
    """A form whose fields accept only values of their own type, storable text and sane dates."""

    def full_clean(self):
        problems = self._input_problems() if self.is_bound else {}
        if problems and not hasattr(self.data, "getlist"):
            # Hide the unusable values from the fields' own cleaning (some would raise on them).
            self.data = {**self.data, **dict.fromkeys(problems)}
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.fields:
            if name not in problems and name in self.cleaned_data:
                problem = range_problem(self.cleaned_data[name])
                if problem is not None:
                    problems[name] = problem
        for name, problem in problems.items():
            self._errors[name] = self.error_class([problem])
            self.cleaned_data.pop(name, None)

    def _input_problems(self) -> dict:
        problems = {}
        for name, field in self.fields.items():
            if getattr(field, "takes_raw_json", False):
                continue  # fields that validate structured values themselves (lists of records)
            raw = self._raw(name, field)
            # Empty is the field's own business (required or not); an empty list is empty only where
            # a list is expected — `{"closing_note": []}` is the wrong type, not a blank note.
            if raw in (None, "") or (raw in ([], ()) and isinstance(field, forms.MultipleChoiceField)):
                continue
            problem = _type_problem(field, raw) or next(filter(None, map(text_problem, _texts(raw))), None)
            if problem is not None:
                problems[name] = problem
        return problems

    def _raw(self, name, field):
        """The value as sent. An HTML post's QueryDict holds strings, read through the widget (lists for
        multiple choices); a JSON body is read as it is, before a widget can coerce it (a checkbox
        widget turns anything into a bool)."""
        if hasattr(self.data, "getlist"):
            return field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return self.data.get(self.add_prefix(name))
