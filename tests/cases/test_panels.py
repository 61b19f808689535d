"""Other apps' panels on the case page come from a registry, in their order, for the viewing user."""

import pytest
from django.contrib.auth import get_user_model

from cases.models import Case
from cases.panels import case_panels, register_panel, unregister_panel
from complaints.panels import COMPLAINTS_PANEL, register_case_panels


@pytest.fixture
def extra_panels():
    names = []

    def _register(name, **kwargs):
        register_panel(name, **kwargs)
        names.append(name)

    yield _register
    for name in names:
        unregister_panel(name)


def test_panels_come_in_their_order_with_a_context_for_the_case_and_the_user(extra_panels):
    seen = []

    def context(case, user):
        seen.append((case, user))
        return {"who": user}

    case, user = Case(pk=1, number="C-2026-000001"), get_user_model()(username="agent")
    extra_panels("late", template="late.html", context=context, order=900)
    extra_panels("early", template="early.html", context=context, order=-5)
    panels = case_panels(case, user)
    names = [panel.name for panel in panels]
    assert names.index("early") < names.index(COMPLAINTS_PANEL) < names.index("late")
    assert seen == [(case, user), (case, user)]
    assert panels[-1].context == {"who": user}


def test_registering_a_name_again_replaces_the_panel(extra_panels):
    extra_panels("twice", template="a.html", context=lambda case, user: {}, order=1)
    extra_panels("twice", template="b.html", context=lambda case, user: {}, order=1)
    assert [p.template for p in case_panels(Case(pk=1), None) if p.name == "twice"] == ["b.html"]


def test_the_complaints_panel_is_registered_by_the_complaints_app():
    # Registered from ComplaintsConfig.ready(); registering again does not show it twice.
    register_case_panels()
    panels = [p for p in case_panels(Case(pk=1), None) if p.name == COMPLAINTS_PANEL]
    assert [p.template for p in panels] == ["complaints/case_panel.html"]
