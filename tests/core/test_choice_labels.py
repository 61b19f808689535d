"""`{{ obj|display:"field" }}` shows what `get_<field>_display` shows, in the language of the request."""

import pytest
from django.template import Context, Template
from django.utils import translation

from cases.models import Case, CaseState, Priority

RENDER = Template('{% load choice_labels %}{{ case|display:"state" }}|{{ case|display:"priority" }}')


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("state", CaseState.values)
def test_label_is_djangos_own_in_each_language(language, state):
    case = Case(state=state, priority=Priority.values[0])
    with translation.override(language):
        shown = RENDER.render(Context({"case": case}))
        assert shown == f"{case.get_state_display()}|{case.get_priority_display()}"


def test_switching_language_switches_the_label():
    case = Case(state=CaseState.values[0], priority=Priority.values[0])
    with translation.override("en"):
        english = RENDER.render(Context({"case": case}))
    with translation.override("zh-hans"):
        chinese = RENDER.render(Context({"case": case}))
    assert english != chinese
    with translation.override("en"):
        assert RENDER.render(Context({"case": case})) == english


def test_a_value_outside_the_choices_is_shown_as_stored():
    case = Case(state="no_such_state", priority=Priority.values[0])
    assert RENDER.render(Context({"case": case})).startswith("no_such_state|")


def test_nothing_to_show_for_no_object():
    assert RENDER.render(Context({"case": None})) == "|"
