"""A small registry of notes other apps add to the intake page's "known customer" box, so the agent
sees what they know about the customer before submitting (complaints knows nothing of them).
Example: escalation/ shows the customer types put on the customer's earlier cases.

A provider is `(customer) -> list[str]`, registered from the app's AppConfig.ready()."""

from collections.abc import Callable

_providers: dict[str, Callable] = {}


def register_intake_note(name: str, provider: Callable) -> None:
    _providers[name] = provider


def intake_notes(customer) -> list[dict]:
    """[{name, text}] from every provider, in the order they registered."""
    return [{"name": name, "text": text} for name, provider in _providers.items() for text in provider(customer)]
