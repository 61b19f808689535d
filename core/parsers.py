"""The API's JSON parser: DRF's own, plus the limits a body must keep before any view sees it.

DRF's JSONParser turns a ValueError into a 400 but lets Python's RecursionError (a body nested a
thousand levels deep) through as a 500, and hands on text the database cannot store (NUL, a lone
UTF-16 surrogate from a `\\ud800` escape) to whatever reads it — the token endpoint included. Here
a body deeper than MAX_DEPTH, or with such text anywhere (keys too), or a number no column can hold
(1e999 parses as infinity), is a 400 naming where. So is a body that is not an object: every
operation takes named fields, and a view that read `[]` or `null` as "no fields" would run a step
that needs none (Close) on a body that was never meant for it.
"""

import math

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

from .inputs import text_problem

# Our deepest legitimate body is an evidence record inside a list inside the body (3 levels).
MAX_DEPTH = 32
MSG_TOO_DEEP = _("The JSON body is nested too deeply.")
MSG_NUMBER_RANGE = _("This number is out of range.")
MSG_NOT_OBJECT = _("The JSON body must be an object of named fields.")


class CheckedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(MSG_TOO_DEEP) from None
        if not isinstance(data, dict):
            raise ValidationError({"__all__": [MSG_NOT_OBJECT]})
        problems = body_problems(data)
        if problems:
            raise ValidationError(problems)
        return data


def body_problems(data) -> dict:
    """{path: [message]} for text that cannot be stored, or {"__all__": [...]} for a body too deep.
    Walks the parsed body without recursion."""
    problems = {}
    stack = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return {"__all__": [MSG_TOO_DEEP]}
        if isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                problem = text_problem(key)
                if problem is not None:
                    problems.setdefault(path or "__all__", [problem])
                    continue
                stack.append((item, child, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                problems.setdefault(path or "__all__", [problem])
        elif not _number_in_range(value):
            problems.setdefault(path or "__all__", [MSG_NUMBER_RANGE])
    return problems


def _number_in_range(value) -> bool:
    """Numbers every database column and Python conversion here can take: 1e999 parses as infinity,
    and a 400-digit integer overflows any column."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return -(2**63) <= value < 2**63
