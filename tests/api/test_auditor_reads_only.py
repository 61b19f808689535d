"""Auditors read everything and change nothing (issue 11, item 1): every write operation of the API,
sent by an auditor with a body the endpoint otherwise accepts, is refused with 403 — before any check
of the case's state could answer 409 — and the database is as it was.

The operations and the objects they act on are the malformed-input sweep's (a new write endpoint
gets its setup there). Exempt, each for its reason: an auditor signs in (a token), and marks their
own notifications read or chooses how to be told — their own, not the record's."""

import json

import pytest

from tests.api.test_malformed_sweep import OPERATIONS, _send, client_for, database, target_for

pytestmark = pytest.mark.django_db

THEIR_OWN = {
    "POST /api/auth/token/",
    "POST /api/notifications/{id}/read/",
    "POST /api/notifications/read-all/",
    "PUT /api/notifications/preferences/",
}


@pytest.fixture
def people(agent, desk, supervisor):
    return {"agent": agent, "desk": desk, "supervisor": supervisor}


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if str(op) not in THEIR_OWN], ids=str)
def test_an_auditor_is_refused_every_write_and_nothing_changes(people, auditor, operation):
    target = target_for(operation, people)
    target.client = client_for(auditor)  # the same request, from an auditor
    before = database()
    response = _send(target, operation, json.dumps(target.body if target.body is not None else {}))
    assert response.status_code == 403, (response.status_code, response.content[:200])
    assert response.json()["code"] == "forbidden"
    assert database() == before


@pytest.mark.parametrize("step", ["close", "accept", "no-such-step"])
def test_an_auditors_forged_step_is_forbidden_whatever_the_state_or_the_name(agent, auditor, step):
    from tests.factories import log_case

    case = log_case(agent)  # new: "close" is not possible from here, "accept" is
    before = database()
    response = client_for(auditor).post(f"/api/cases/{case.pk}/transitions/{step}/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert database() == before
