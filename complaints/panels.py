"""What complaints/ shows on the case page: the complaints behind the case, as the customer made
them (registered with cases' panel registry, so cases never imports this app)."""

from cases.panels import register_panel

from .selectors import complaints_of_case

COMPLAINTS_PANEL = "complaints"


def complaints_panel_context(case, user) -> dict:
    return {"complaints": complaints_of_case(case)}


def register_case_panels() -> None:
    register_panel(COMPLAINTS_PANEL, template="complaints/case_panel.html", context=complaints_panel_context, order=10)
