"""A small registry of extra transition guards other apps plug into.

A guard is a pure function `(case, evidence) -> dict | None`: None when the step may happen, else
field name -> message naming what is missing. Example: escalation/ registers a guard that blocks
Agreement while a compensation above the agent's authority awaits approval.
"""

from collections import defaultdict
from collections.abc import Callable

Guard = Callable[[object, dict], dict | None]

_guards: dict[str, list[Guard]] = defaultdict(list)


def register_guard(transition_name: str, guard: Guard) -> None:
    if guard not in _guards[transition_name]:
        _guards[transition_name].append(guard)


def unregister_guard(transition_name: str, guard: Guard) -> None:
    if guard in _guards[transition_name]:
        _guards[transition_name].remove(guard)


def guard_errors(transition_name: str, case, evidence: dict) -> dict:
    errors: dict[str, list] = {}
    for guard in _guards.get(transition_name, ()):
        for field, message in (guard(case, evidence) or {}).items():
            errors.setdefault(field, []).append(message)
    return errors
