"""Auditors change nothing through the pages either (issue 11, item 1): every URL pattern of the site
outside the API (which tests/api/test_auditor_reads_only.py walks) and the admin (auditors are not
staff), posted to by an auditor, answers 403 and leaves every table as it was — whatever the view
itself checks, because the refusal comes before any view runs (accounts/middleware.py).

The exceptions are the auditor's own: signing out, the language, their notification settings, and the
auditors' workspace, whose quality samples and scorecards are their records."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.middleware import READ_ONLY_USERS_MAY_POST, READ_ONLY_USERS_MAY_POST_UNDER
from tests.api.test_malformed_sweep import database
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db
SKIPPED_PREFIXES = ("api/", "admin/", "static/", "media/")


def site_patterns(resolver=None, prefix="", namespace=""):
    """(route, view name) of every URL pattern, nested includes flattened."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from site_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else route


def exempt(view_name):
    return view_name in READ_ONLY_USERS_MAY_POST or view_name.split(":")[0] in READ_ONLY_USERS_MAY_POST_UNDER


PAGES = sorted({(r, n) for r, n in site_patterns() if not r.startswith(SKIPPED_PREFIXES) and not exempt(n)})


def fill(route, case):
    """The route with its parameters filled by real objects where a view would look them up."""
    values = {"<str:number>": case.number, "<int:pk>": "1", "<slug:step>": "accept", "<str:name>": "assure",
              "<slug:code>": "legal", "<str:action>": "pause"}  # fmt: skip
    for placeholder, value in values.items():
        route = route.replace(placeholder, value)
    assert "<" not in route, f"teach this test the parameter of {route}"
    return "/" + route.replace("^", "").replace("$", "")


def test_the_walk_covers_the_writing_pages():
    names = {name for _route, name in PAGES}
    # A sample of pages that write, from every app that has some: if these vanish, the walk broke.
    assert {"complaints:intake", "cases:step", "escalation:request", "cases:letter_send", "cases:assign"} <= names


@pytest.mark.parametrize("route, name", PAGES, ids=[name for _route, name in PAGES])
def test_an_auditor_posting_to_any_page_is_refused_and_nothing_changes(client, agent, auditor, route, name):
    case = case_in_state("agreed", owner=agent)
    client.force_login(auditor)
    before = database()
    response = client.post(fill(route, case), {"reason": "x", "confirm": "1"})
    assert response.status_code == 403, (name, response.status_code)
    assert database() == before


def test_someone_who_is_also_an_agent_keeps_the_agents_rights(client, agent):
    from django.contrib.auth.models import Group

    agent.groups.add(Group.objects.get_or_create(name="auditor")[0])
    client.force_login(agent)
    response = client.post("/complaints/new/", {})
    assert response.status_code == 400  # the form again, naming what is missing: not refused
