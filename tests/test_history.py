"""History rows written by core.history match what simple-history itself writes."""

import pytest

from cases.models import Case
from cases.services import case_transition
from core.history import HISTORY_ONLY_FIELDS
from escalation.escalations import escalation_request
from tests.factories import case_in_state, evidence, log_case

pytestmark = pytest.mark.django_db


def tracked_values(instance, history_row):
    names = [f.attname for f in history_row._meta.concrete_fields if f.name not in HISTORY_ONLY_FIELDS]
    return {n: getattr(history_row, n) for n in names}, {n: getattr(instance, n) for n in names}


def test_every_tracked_row_has_a_history_row_equal_to_it(agent):
    case = case_in_state("agreed", owner=agent)
    complaint = case.complaints.get()
    rows = [case, complaint, complaint.customer, *case.options.all(), *case.promises.all()]
    for instance in rows:
        instance.refresh_from_db()
        latest = instance.history.order_by("-history_id").first()
        stored, current = tracked_values(instance, latest)
        assert stored == current, type(instance).__name__
        assert latest.history_user == agent


def test_history_rows_say_created_then_changed_and_diff_like_simple_history(agent):
    case = case_in_state("accepted", owner=agent)
    created, accepted = case.history.order_by("history_id")
    assert (created.history_type, accepted.history_type) == ("+", "~")
    delta = accepted.diff_against(created)
    assert {"state", "customer_words", "accepted_at", "first_contact_at"} <= set(delta.changed_fields)


def test_a_plain_save_still_records_history_through_simple_history(agent):
    case = case_in_state("new", owner=agent)
    Case.objects.filter(pk=case.pk).update(summary="changed by hand")
    case.refresh_from_db()
    case._history_user = agent
    case.save()
    latest = case.history.order_by("-history_id").first()
    assert latest.summary == "changed by hand" and latest.history_type == "~"


def test_rows_written_together_keep_their_links_without_reading_back(agent, django_assert_num_queries):
    from complaints.services import complaint_log
    from tests.factories import intake_data

    complaint, _ = complaint_log(actor=agent, data=intake_data(customer_phone="13812345678"))
    with django_assert_num_queries(0):
        assert complaint.case.pk and complaint.customer.pk and complaint.case.number.startswith("C-")
        assert complaint.case_id == complaint.case.pk and complaint.customer_id == complaint.customer.pk


def test_a_long_reason_is_kept_whole_in_the_history(agent):
    """Reasons are the user's own text (up to 4,000 characters): simple-history's default column
    of 100 made PostgreSQL refuse a longer withdrawal reason with a 500, and SQLite cut nothing."""
    reason = "客户来电说明情况，" * 40
    case = log_case(agent)
    escalation = escalation_request(case=case, actor=agent, data={"level": 2, "reason": reason})
    assert escalation.history.get().history_change_reason == reason
    case_transition(case=case, name="withdraw", actor=agent, data={**evidence("withdraw"), "reason": reason})
    assert case.history.order_by("-history_id").first().history_change_reason == reason
