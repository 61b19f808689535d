from datetime import timedelta

import pytest
from django.utils import timezone

from cases.guards import register_guard, unregister_guard
from cases.models import Case, CaseEvent, CaseOption, Promise
from cases.services import case_record_first_contact, case_transition
from core.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import PATH_TO, case_in_state, evidence, log_case, promises_keep

pytestmark = pytest.mark.django_db

SEVEN_A = ["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure", "close"]


def test_walking_all_seven_steps_closes_the_case_with_one_event_and_one_history_row_per_step(agent):
    case = log_case(agent)
    for step in SEVEN_A:
        if step == "assure":
            promises_keep(case, agent)  # the follow-up call and the commitment (two events, two case saves)
        case_transition(case=case, name=step, actor=agent, data=evidence(step, case))
    case.refresh_from_db()
    assert case.state == "closed"
    assert not case.is_open
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["logged", *SEVEN_A[:6], "promise_kept", "promise_kept", *SEVEN_A[6:]]
    # one history row at creation plus one per transition (and one per kept promise: the case's next
    # promise moves), each attributed to the agent
    history = case.history.order_by("history_id")
    assert history.count() == 1 + len(SEVEN_A) + 2
    assert {h.history_user_id for h in history} == {agent.pk}
    states = [h.state for h in history if h.prev_record is None or h.prev_record.state != h.state]
    assert states == [
        "new",
        "accepted",
        "apologized",
        "acknowledged",
        "analyzed",
        "alternatives_offered",
        "agreed",
        "assured",
        "closed",
    ]


@pytest.mark.parametrize(
    ("step", "missing"),
    [
        ("accept", "customer_words"),
        ("accept", "first_contact_at"),
        ("apologize", "apology_text"),
        ("acknowledge", "restated_problem"),
        ("acknowledge", "emotional_needs"),
        ("analyze", "root_cause"),
        ("analyze", "fact_what"),
        ("analyze", "category"),
        ("analyze", "responsible_unit"),
        ("analyze", "desired_outcome"),
        ("offer_alternatives", "options"),
        ("agree", "chosen_option"),
        ("agree", "customer_confirmed"),
        ("agree", "commitments"),
        ("agree", "next_callback_at"),
        ("assure", "satisfaction"),
        ("assure", "follow_up_done"),
        ("assure", "thanked"),
    ],
)
def test_a_step_without_its_evidence_is_refused_naming_the_missing_field(agent, step, missing):
    before = next(state for state, path in PATH_TO.items() if path == SEVEN_A[: SEVEN_A.index(step)])
    case = case_in_state(before, owner=agent)
    data = evidence(step, case)
    data.pop(missing)
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name=step, actor=agent, data=data)
    assert missing in exc.value.fields
    case.refresh_from_db()
    assert case.state == before
    assert case.events.filter(kind=step).count() == 0


def test_alternatives_need_at_least_two_options(agent):
    case = case_in_state("analyzed", owner=agent)
    data = evidence("offer_alternatives")
    data["options"] = data["options"][:1]
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="offer_alternatives", actor=agent, data=data)
    assert "at least 2" in str(exc.value.fields["options"][0])
    assert not CaseOption.objects.filter(case=case).exists()


def test_an_option_without_its_benefit_is_named_by_position_and_field(agent):
    case = case_in_state("analyzed", owner=agent)
    data = evidence("offer_alternatives")
    data["options"][1]["benefit"] = ""
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="offer_alternatives", actor=agent, data=data)
    message = str(exc.value.fields["options"][0])
    assert "2" in message and "Benefit to the customer" in message


def test_negative_compensation_is_refused(agent):
    case = case_in_state("analyzed", owner=agent)
    data = evidence("offer_alternatives")
    data["options"][0]["compensation"] = "-5"
    with pytest.raises(InvalidInput):
        case_transition(case=case, name="offer_alternatives", actor=agent, data=data)


def test_agreement_must_choose_an_offered_option_and_promise_future_times(agent):
    case = case_in_state("alternatives_offered", owner=agent)
    data = evidence("agree")
    data["chosen_option"] = 3
    data["commitments"][0]["due_at"] = (timezone.now() - timedelta(hours=1)).isoformat()
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="agree", actor=agent, data=data)
    assert set(exc.value.fields) >= {"chosen_option", "commitments"}


def test_agreement_makes_the_follow_up_call_and_each_commitment_a_promise(agent):
    case = case_in_state("agreed", owner=agent)
    assert case.chosen_option.position == 1
    assert case.customer_confirmed
    promises = {p.kind: p for p in Promise.objects.filter(case=case)}
    assert set(promises) == {"follow_up", "commitment"}
    follow_up, commitment = promises["follow_up"], promises["commitment"]
    assert follow_up.state == commitment.state == "scheduled"
    assert follow_up.phone == case.customer_phone and follow_up.keeper == agent and follow_up.promised_by == agent
    assert commitment.description == "三个工作日内退费" and commitment.phone == ""
    # The case's next promise is the earliest still owed: the commitment, due before the callback.
    assert case.next_callback_at == commitment.due_at < follow_up.due_at


def test_satisfaction_must_be_between_one_and_five(agent):
    case = case_in_state("agreed", owner=agent)
    data = evidence("assure")
    data["satisfaction"] = 6
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="assure", actor=agent, data=data)
    assert "satisfaction" in exc.value.fields


def test_a_step_out_of_order_is_a_conflict(agent):
    case = log_case(agent)
    with pytest.raises(Conflict):
        case_transition(case=case, name="analyze", actor=agent, data=evidence("analyze"))


def test_a_stale_page_is_a_conflict_even_when_the_step_would_be_valid(agent):
    case = case_in_state("accepted", owner=agent)
    with pytest.raises(Conflict):
        case_transition(case=case, name="apologize", actor=agent, data=evidence("apologize"), expected_state="new")


def test_someone_else_moving_the_case_between_read_and_write_is_a_conflict(agent):
    case = log_case(agent)
    stale_copy = Case.objects.get(pk=case.pk)
    case_transition(case=case, name="accept", actor=agent, data=evidence("accept"))
    with pytest.raises(Conflict):
        case_transition(case=stale_copy, name="accept", actor=agent, data=evidence("accept"))
    assert CaseEvent.objects.filter(case=case, kind="accept").count() == 1


def test_first_contact_form_records_three_steps_and_three_events(agent):
    case = log_case(agent)
    data = {**evidence("accept"), **evidence("apologize"), **evidence("acknowledge")}
    case_record_first_contact(case=case, actor=agent, data=data)
    case.refresh_from_db()
    assert case.state == "acknowledged"
    assert list(case.events.order_by("id").values_list("kind", flat=True)) == [
        "logged",
        "accept",
        "apologize",
        "acknowledge",
    ]
    assert case.history.count() == 4


def test_first_contact_with_a_gap_records_nothing_and_names_every_gap(agent):
    case = log_case(agent)
    data = {**evidence("accept"), **evidence("acknowledge")}  # no apology
    data.pop("customer_words")
    with pytest.raises(InvalidInput) as exc:
        case_record_first_contact(case=case, actor=agent, data=data)
    assert {"customer_words", "apology_text"} <= set(exc.value.fields)
    case.refresh_from_db()
    assert case.state == "new"
    assert case.events.count() == 1


def test_withdraw_needs_a_reason_and_ends_the_case(agent):
    case = case_in_state("analyzed", owner=agent)
    with pytest.raises(InvalidInput):
        case_transition(case=case, name="withdraw", actor=agent, data={**evidence("withdraw"), "reason": "  "})
    case_transition(case=case, name="withdraw", actor=agent, data=evidence("withdraw"))
    case.refresh_from_db()
    assert case.state == "withdrawn" and not case.is_open
    assert case.events.get(kind="withdraw").reason == "客户撤回"


def test_only_a_supervisor_rejects(agent, supervisor, desk):
    case = log_case(agent)
    for user in (agent, desk):
        with pytest.raises(NotAllowed):
            case_transition(case=case, name="reject", actor=user, data={"reason": "无效投诉"})
    case_transition(case=case, name="reject", actor=supervisor, data={"reason": "无效投诉"})
    case.refresh_from_db()
    assert case.state == "rejected"


def test_reopen_within_thirty_days_returns_to_analysis(agent):
    case = case_in_state("closed", owner=agent)
    case_transition(case=case, name="reopen", actor=agent, data={"reason": "客户再次来电"})
    case.refresh_from_db()
    assert case.state == "analyzed" and case.is_open and case.reopen_count == 1
    # new alternatives must be offered: the next round starts empty
    case_transition(case=case, name="offer_alternatives", actor=agent, data=evidence("offer_alternatives"))
    case.refresh_from_db()
    assert case.options_round == 2
    assert case.options.filter(round=2).count() == 2


def test_reopen_after_thirty_days_is_refused_with_the_reason(agent, settings):
    case = case_in_state("closed", owner=agent)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=31))
    case.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="reopen", actor=agent, data={"reason": "再次来电"})
    assert "30 days" in str(exc.value.message)


def test_reopen_needs_a_reason(agent):
    case = case_in_state("closed", owner=agent)
    with pytest.raises(InvalidInput) as exc:
        case_transition(case=case, name="reopen", actor=agent, data={})
    assert "reason" in exc.value.fields


def test_a_registered_guard_blocks_the_step_with_its_message(agent):
    case = case_in_state("alternatives_offered", owner=agent)

    def approval_pending(case, evidence):
        return {"chosen_option": "Compensation above your authority awaits approval."}

    register_guard("agree", approval_pending)
    try:
        with pytest.raises(InvalidInput) as exc:
            case_transition(case=case, name="agree", actor=agent, data=evidence("agree"))
        assert exc.value.fields["chosen_option"] == ["Compensation above your authority awaits approval."]
    finally:
        unregister_guard("agree", approval_pending)
    case_transition(case=case, name="agree", actor=agent, data=evidence("agree"))


def test_the_state_field_cannot_be_assigned(agent):
    case = log_case(agent)
    with pytest.raises(AttributeError):
        case.state = "closed"


def test_case_events_are_append_only(agent):
    from cases.models import AppendOnlyError

    event = log_case(agent).events.get()
    event.reason = "edited"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
