"""Every state × transition × role against an explicit table of what is allowed.

The two tables below are the specification (issue #2), written out by hand: where a transition may
start, and who may run it. A cell is "ok" when both allow it, "conflict" (409) when the state does
not, and "forbidden" (403) when the state does but the role does not — and always for a role that
changes no case at all (auditor, admin), whatever the state (issue 11: a reader's forged step is
403, never 409).
"""

import pytest
from django.db import transaction

from cases.models import Case
from cases.services import case_transition
from core.errors import Conflict, NotAllowed
from tests.factories import UserFactory, case_in_state, evidence, promises_keep

OPEN = {"new", "accepted", "apologized", "acknowledged", "analyzed", "alternatives_offered", "agreed", "assured"}
STATES = sorted(OPEN | {"closed", "withdrawn", "rejected"})

SOURCES = {
    "accept": {"new"},
    "apologize": {"accepted"},
    "acknowledge": {"apologized"},
    "analyze": {"acknowledged"},
    "offer_alternatives": {"analyzed"},
    "agree": {"alternatives_offered"},
    "assure": {"agreed"},
    "close": {"assured"},
    "withdraw": OPEN,
    "reject": OPEN,
    "reopen": {"closed"},
}
# owner = the agent who owns the case; other_agent = any other front-line agent
WORKERS = {"owner", "escalation_desk", "supervisor"}
ROLES_ALLOWED = {
    "accept": WORKERS,
    "apologize": WORKERS,
    "acknowledge": WORKERS,
    "analyze": WORKERS,
    "offer_alternatives": WORKERS,
    "agree": WORKERS,
    "assure": WORKERS,
    "close": WORKERS,
    "withdraw": WORKERS,
    "reject": {"supervisor"},
    "reopen": WORKERS,
}
ROLES = ["owner", "other_agent", "escalation_desk", "supervisor", "auditor", "admin"]
READERS = {"auditor", "admin"}


def expected(state, name, role):
    if role in READERS:
        return "forbidden"
    if state not in SOURCES[name]:
        return "conflict"
    return "ok" if role in ROLES_ALLOWED[name] else "forbidden"


class _Undo(Exception):
    pass


def _attempt(case_pk, name, user):
    """Run the transition and roll it back, so every transition starts from the same state."""
    case = Case.objects.get(pk=case_pk)
    outcome = None
    try:
        with transaction.atomic():
            try:
                case_transition(case=case, name=name, actor=user, data=evidence(name, case))
                outcome = "ok"
            except Conflict:
                outcome = "conflict"
            except NotAllowed:
                outcome = "forbidden"
            raise _Undo
    except _Undo:
        pass
    return outcome


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_transition_matrix(state):
    owner = UserFactory(username="owner", role="agent")
    supervisor = UserFactory(username="sup", role="supervisor")
    users = {
        "owner": owner,
        "other_agent": UserFactory(username="other", role="agent"),
        "escalation_desk": UserFactory(username="desk", role="escalation_desk"),
        "supervisor": supervisor,
        "auditor": UserFactory(username="aud", role="auditor"),
        "admin": UserFactory(username="adm", role="admin"),
    }
    case = case_in_state(state, owner=owner, supervisor=supervisor)
    assert case.state == state
    if state == "agreed":
        promises_keep(case, owner)  # the matrix is about states and roles: Assure's evidence is complete
    mismatches = []
    for name in SOURCES:
        for role in ROLES:
            got = _attempt(case.pk, name, users[role])
            want = expected(state, name, role)
            if got != want:
                mismatches.append(f"{state} × {name} × {role}: got {got}, want {want}")
    assert not mismatches, "\n".join(mismatches)
    assert Case.objects.get(pk=case.pk).state == state
