"""A small registry of panels other apps show on the case page.

cases knows nothing of what other apps keep about a case; an app that wants a say on the page
registers a panel from its AppConfig.ready(): a template and a function `(case, user) -> dict`
giving that template's context. Example: complaints/ shows the complaints behind the case.

Panels render in the page's evidence column, after the customer, lowest `order` first. A context
function should return querysets rather than lists where it can: they are read only when the
template renders, with the joins the function planned (the page's query count is pinned).
"""

from collections.abc import Callable
from dataclasses import dataclass

PanelContext = Callable[[object, object], dict]


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: PanelContext
    order: int = 100


@dataclass(frozen=True)
class PanelOnPage:
    name: str
    template: str
    context: dict


_panels: dict[str, Panel] = {}


def register_panel(name: str, *, template: str, context: PanelContext, order: int = 100) -> None:
    """Registering the same name again replaces the panel (a reloaded app does not show it twice)."""
    _panels[name] = Panel(name=name, template=template, context=context, order=order)


def unregister_panel(name: str) -> None:
    _panels.pop(name, None)


def case_panels(case, user) -> list[PanelOnPage]:
    """The registered panels for this case and user, in page order, each with its context."""
    ordered = sorted(_panels.values(), key=lambda panel: (panel.order, panel.name))
    return [PanelOnPage(panel.name, panel.template, panel.context(case, user)) for panel in ordered]
