"""One write path on every database: the libraries' own signals fire, receivers see every row of the
step, history carries who, when and why, and each step's writes are pinned in number.

CI runs this file on PostgreSQL and again on SQLite (`.ci/run`), so "the same on both" is checked,
not assumed."""

from collections import Counter

import pytest
from django.db.models.signals import post_save
from simple_history.signals import post_create_historical_record

from cases import events as case_events
from cases.events import PayloadError
from cases.models import Case, CaseEvent
from cases.services import TRANSITIONS, case_transition
from cases.signals import case_event_recorded
from complaints.models import Complaint, Customer
from complaints.services import complaint_log
from core.history import save_tracked
from tests.factories import PATH_TO, case_in_state, evidence, intake_data, log_case, promises_keep
from tests.probe.models import ProbeRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded():
    """What receivers of the three kinds of signal saw, in order."""
    seen = []

    def on_event(sender, case, event, actor, **kwargs):
        seen.append(
            (
                "event",
                event.kind,
                CaseEvent.objects.filter(pk=event.pk).exists(),
                Complaint.objects.filter(case=case).count(),
                Case.objects.get(pk=case.pk).state,
            )
        )

    def on_save(sender, instance, created, **kwargs):
        seen.append(("save", sender.__name__, created))

    def on_history(sender, instance, history_instance, **kwargs):
        seen.append(("history", type(instance).__name__, history_instance.history_type))

    case_event_recorded.connect(on_event, dispatch_uid="test-recorded")
    post_save.connect(on_save, dispatch_uid="test-recorded")
    post_create_historical_record.connect(on_history, dispatch_uid="test-recorded")
    try:
        yield seen
    finally:
        case_event_recorded.disconnect(dispatch_uid="test-recorded")
        post_save.disconnect(dispatch_uid="test-recorded")
        post_create_historical_record.disconnect(dispatch_uid="test-recorded")


def test_intake_sends_the_libraries_signals_and_the_event_last(agent, recorded):
    complaint_log(actor=agent, data=intake_data())
    saves = Counter(name for kind, name, *_ in recorded if kind == "save")
    assert {name: saves[name] for name in ("Customer", "Case", "Complaint", "CaseEvent")} == {
        "Customer": 1,
        "Case": 1,
        "Complaint": 1,
        "CaseEvent": 1,
    }
    assert [row for row in recorded if row[0] == "history"] == [
        ("history", "Customer", "+"),
        ("history", "Case", "+"),
        ("history", "Deadline", "+"),
        ("history", "Deadline", "+"),
        ("history", "Complaint", "+"),
    ]
    # The event comes after every other row of the step, and its receiver sees them all.
    assert recorded[-1] == ("event", "logged", True, 1, "new")


def test_a_complaint_attached_to_an_open_case_is_seen_by_the_events_receiver(agent, recorded):
    case = log_case(agent)
    recorded.clear()
    complaint_log(actor=agent, data=intake_data(summary="又多扣了", attach_to_case=case.number))
    assert recorded[-1] == ("event", "complaint_attached", True, 2, "new")


@pytest.mark.parametrize("step", PATH_TO["closed"] + ["withdraw", "reject"])
def test_every_transition_saves_through_the_orm_and_records_its_event_last(agent, supervisor, recorded, step):
    before = {"withdraw": "accepted", "reject": "accepted"}.get(step)
    if before is None:
        path = PATH_TO["closed"]
        before = next(state for state, steps in PATH_TO.items() if steps == path[: path.index(step)])
    case = case_in_state(before, owner=agent)
    if step == "assure":
        promises_keep(case, agent)
    recorded.clear()
    actor = supervisor if step == "reject" else agent
    case_transition(case=case, name=step, actor=actor, data=evidence(step, case))
    assert ("save", "Case", False) in recorded
    assert ("history", "Case", "~") in recorded
    assert recorded[-1][:3] == ("event", step, True)
    assert recorded[-1][4] == case.state


def test_a_reason_becomes_the_history_rows_change_reason(agent):
    case = log_case(agent)
    case_transition(case=case, name="withdraw", actor=agent, data={**evidence("withdraw"), "reason": "客户电话撤诉"})
    latest = case.history.order_by("-history_id").first()
    assert (latest.history_change_reason, latest.history_user, latest.state) == ("客户电话撤诉", agent, "withdrawn")
    assert latest.history_date == case.closed_at


def test_history_attributes_do_not_leak_into_a_later_save(agent, other_agent):
    customer = Customer.objects.get(pk=log_case(agent).complaints.get().customer_id)
    save_tracked(customer, user=agent, reason="first")
    customer._history_user = other_agent
    customer.save()
    latest = customer.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (other_agent, None)


def test_database_defaults_and_generated_fields_need_nothing_hand_written(agent):
    record = ProbeRecord(name="probe")
    save_tracked(record, user=agent)
    record.refresh_from_db()
    assert (record.note, record.shout, record.name_length) == ("set by the database", "PROBE", 5)
    history = record.history.get()
    assert (history.note, history.history_user, history.history_type) == ("set by the database", agent, "+")


# --- writes pinned in number ---------------------------------------------------------------------

# customer lookup; a new customer + history (in a savepoint: a concurrent intake may have inserted the
# same number first, 2 more statements); case number; case + history; its two deadlines + theirs;
# complaint + history; event (after the case's last link, read under its row lock:
# cases/audit_chain.py); the escalation rules read the case's customer types and, in one query,
# what they count (missed promises, breaches, the customer's recent complaints, compensation)
INTAKE_QUERIES = 18
TRANSITION_QUERIES = {
    # case UPDATE + its history row + the event and its chain link; Alternatives writes its option rows (two here) with
    # theirs; Agreement reads the round's options and the case's open promises, and writes the
    # follow-up call and one commitment with theirs; Assure and Close read the promises they depend on.
    # Accept and Assure read the live deadlines and write the one they meet, with its history row.
    # escalation/ (compensation approvals) reads the authority limits when options are offered (once,
    # then cached), and on Agreement who offered the options (its guard) and the requests to supersede.
    # Alternatives are evaluated by the escalation rules (the case's types, and what they count).
    "accept": 7,
    "apologize": 4,
    "acknowledge": 4,
    "analyze": 4,
    "offer_alternatives": 11,
    "agree": 12,
    "assure": 8,
    "close": 5,
}


def test_intake_writes_a_fixed_number_of_queries(agent, django_assert_num_queries):
    complaint_log(actor=agent, data=intake_data(customer_phone="13900000001"))  # warm the reference caches
    with django_assert_num_queries(INTAKE_QUERIES + _savepoints()) as captured:
        complaint_log(actor=agent, data=intake_data(customer_phone="13900000002"))
    assert sum("INSERT" in q["sql"] for q in captured.captured_queries) == 11


@pytest.mark.parametrize("step", list(TRANSITION_QUERIES))
def test_each_transition_writes_a_fixed_number_of_queries(agent, step, django_assert_num_queries):
    path = PATH_TO["closed"]
    before = next(state for state, steps in PATH_TO.items() if steps == path[: path.index(step)])
    case = case_in_state(before, owner=agent)
    if step == "assure":
        promises_keep(case, agent)
    data = evidence(step, case)
    TRANSITIONS[step].form(data, case=case).is_valid()  # warm the reference-data cache, as in real use
    with django_assert_num_queries(TRANSITION_QUERIES[step] + _savepoints()):
        case_transition(case=case, name=step, actor=agent, data=data)


def _savepoints():
    """The test runs inside a transaction, so the step's atomic block is a savepoint (2 statements)."""
    return 2


# --- typed events ---------------------------------------------------------------------------------


@pytest.mark.parametrize("step", PATH_TO["closed"] + ["withdraw"])
def test_each_events_payload_has_exactly_its_kinds_keys(agent, step):
    case = case_in_state("closed" if step != "withdraw" else "withdrawn", owner=agent)
    event = case.events.get(kind=step)
    assert set(event.payload) == set(case_events.event_kind(step).payload_keys)


def test_a_builder_refuses_keys_its_kind_does_not_declare():
    with pytest.raises(PayloadError, match="unexpected \\['extra'\\]"):
        case_events.ACCEPT.payload(first_contact_at=None, customer_words="x", extra=1)
    with pytest.raises(PayloadError, match="missing \\['customer_words'\\]"):
        case_events.ACCEPT.payload(first_contact_at=None)


def test_list_payloads_keep_only_their_declared_item_keys():
    payload = case_events.OFFER_ALTERNATIVES.payload(
        options=[{"action": "退费", "benefit": "钱退回", "compensation": 20, "internal_note": "x"}]
    )
    assert payload == {"options": [{"action": "退费", "benefit": "钱退回", "compensation": 20}]}


def test_other_apps_register_their_kinds_and_old_events_stay_readable(agent, monkeypatch):
    # A registry of its own: the test's kind must not outlive it (the audit timeline groups every kind).
    monkeypatch.setattr(case_events, "_KINDS", dict(case_events._KINDS))
    kind = case_events.register_event_kind("test_callback_made", "Callback made", payload=("at",))
    assert case_events.register_event_kind("test_callback_made", "Callback made", payload=("at",)) is not kind
    assert case_events.event_kind("test_callback_made") == kind
    with pytest.raises(ValueError, match="another definition"):
        case_events.register_event_kind("test_callback_made", "Callback made", payload=("when",))
    event = log_case(agent).events.get()
    assert str(event.kind_label) == "Complaint logged"
    stored_by_an_old_version = CaseEvent(kind="no_longer_registered")
    assert stored_by_an_old_version.kind_label == "no_longer_registered"
