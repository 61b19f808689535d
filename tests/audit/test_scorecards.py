"""Drawing a month's sample from the database and scoring its cases (audit/services.py)."""

import datetime as dt

import pytest

from audit.models import QualitySample, SampledCase, SampleState, Scorecard
from audit.selectors import agent_scores_by_month, scorecard_prefill
from audit.services import quality_sample_create, sample_plan, scorecard_save
from cases.models import Case
from core.errors import Conflict, InvalidInput, NotAllowed
from tests.factories import case_in_state

from .conftest import SHANGHAI, closed_case_at

OCTOBER = {"month": "2026-10", "seed": "42"}
WELL_DONE = {
    "step_accept": "2",
    "step_apologize": "2",
    "step_acknowledge": "2",
    "step_analyze": "2",
    "step_offer_alternatives": "2",
    "step_agree": "2",
    "step_assure": "2",
    "wording_ok": "yes",
    "promises_kept": "yes",
    "escalation_right": "na",
    "comment": "",
}


def test_the_sample_takes_every_closed_case_of_an_agent_under_quota_with_its_stratum(
    october, auditor, desk, office_hours
):
    closed_case_at(desk, dt.datetime(2026, 10, 16, 10, 0, tzinfo=SHANGHAI))  # the desk's: not an agent's
    case_in_state("closed", owner=october[0].owner)  # closed in November: not October's
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    assert (sample.month, sample.seed, sample.state) == (dt.date(2026, 10, 1), 42, SampleState.IN_REVIEW)
    picked = {row.case_id: row for row in SampledCase.objects.filter(sample=sample)}
    assert set(picked) == {case.pk for case in october}
    times = [picked[case.pk].time_bucket for case in october]
    assert times == ["peak", "off_peak", "night", "peak"]
    assert all(row.all_taken for row in picked.values())
    assert "every case the agent closed this month" in picked[october[0].pk].reason
    agents = {row.agent_id: (row.closed, row.quota, row.rule) for row in sample.agents.all()}
    assert agents == {october[0].owner_id: (3, 20, "base"), october[3].owner_id: (1, 20, "base")}


def test_the_stored_sample_is_what_the_seed_draws_again(october, auditor, office_hours):
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    stored = sorted(SampledCase.objects.filter(sample=sample).values_list("case_id", "time_bucket", "handling_bucket"))
    again = sorted((p.case_id, p.time_bucket, p.handling_bucket) for p in sample_plan(sample.month, sample.seed).picks)
    assert stored == again


def test_a_month_is_sampled_once(october, auditor, office_hours):
    quality_sample_create(actor=auditor, data=OCTOBER)
    with pytest.raises(Conflict) as error:
        quality_sample_create(actor=auditor, data={"month": "2026-10", "seed": "7"})
    assert "2026-10 has been sampled already" in error.value.message
    assert QualitySample.objects.count() == 1


@pytest.mark.parametrize("who", ["agent", "supervisor", "desk", "admin_user"])
def test_only_auditors_draw_a_sample(db, request, who, office_hours):
    with pytest.raises(NotAllowed):
        quality_sample_create(actor=request.getfixturevalue(who), data=OCTOBER)
    assert not QualitySample.objects.exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"month": "2026-11", "seed": "1"}, "month", "2026-11 is not over yet"),
        ({"month": "2026-13", "seed": "1"}, "month", "Enter a month as YYYY-MM"),
        ({"month": "October", "seed": "1"}, "month", "Enter a month as YYYY-MM"),
        ({"month": "2026-10", "seed": "-1"}, "seed", "Enter a whole number from 0 to"),
        ({"month": "2026-10", "seed": "abc"}, "seed", "Enter a whole number"),
        ({"month": "2026-10", "seed": str(2**31)}, "seed", "Enter a whole number from 0 to 2147483647."),
        ({"month": "2026-10"}, "seed", "This field is required"),
    ],
)
def test_a_bad_month_or_seed_is_named(auditor, office_hours, data, field, message):
    with pytest.raises(InvalidInput) as error:
        quality_sample_create(actor=auditor, data=data)
    assert message in " ".join(str(m) for m in error.value.fields[field])


def test_a_month_without_closed_cases_is_not_sampled(auditor, office_hours):
    with pytest.raises(InvalidInput) as error:
        quality_sample_create(actor=auditor, data={"month": "2026-09", "seed": "1"})
    assert "No agent closed a case in 2026-09" in str(error.value.fields["month"][0])


def test_drawing_a_sample_runs_a_fixed_number_of_queries(october, auditor, office_hours, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        quality_sample_create(actor=auditor, data=OCTOBER)


def test_the_scorecard_is_prefilled_from_the_record(october, auditor, office_hours):
    case = october[0]
    Case.objects.filter(pk=case.pk).update(follow_up_note="客户说不满意，我说冷静点。")
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    sampled = SampledCase.objects.select_related("case").get(sample=sample, case=case)
    prefill = scorecard_prefill(sampled)
    assert [prefill.initial[name] for name, _label, _at in prefill.steps] == [2] * 7
    assert prefill.initial["promises_kept"] == "yes"  # the factory keeps every promise in time
    assert prefill.promises["decided"] >= 1
    assert prefill.initial["escalation_right"] == "na"
    assert prefill.initial["wording_ok"] == "no"
    assert [hit.phrase for hit in prefill.wording] == ["冷静点"]


def test_a_scorecard_adds_up_and_the_sample_completes_with_the_last_one(october, auditor, office_hours):
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    rows = list(SampledCase.objects.filter(sample=sample).order_by("case_id"))
    first = scorecard_save(sampled_case=rows[0], actor=auditor, data=WELL_DONE)
    assert (first.points, first.max_points, str(first.percent)) == (18, 18, "100.0")
    poor = {**WELL_DONE, "step_assure": "1", "wording_ok": "no", "promises_kept": "no", "comment": "没有确认满意度"}
    second = scorecard_save(sampled_case=rows[1], actor=auditor, data=poor)
    assert (second.points, second.max_points, str(second.percent)) == (13, 18, "72.2")
    assert QualitySample.objects.get(pk=sample.pk).state == SampleState.IN_REVIEW
    for row in rows[2:]:
        scorecard_save(sampled_case=row, actor=auditor, data=WELL_DONE)
    assert QualitySample.objects.get(pk=sample.pk).state == SampleState.COMPLETE


def test_rescoring_keeps_the_earlier_score_in_the_history(october, auditor, office_hours):
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    row = SampledCase.objects.filter(sample=sample).first()
    scorecard_save(sampled_case=row, actor=auditor, data=WELL_DONE)
    scorecard_save(sampled_case=row, actor=auditor, data={**WELL_DONE, "step_apologize": "0"})
    scorecard = Scorecard.objects.get(sampled_case=row)
    assert str(scorecard.percent) == "88.9"
    assert [str(h.percent) for h in scorecard.history.order_by("history_id")] == ["100.0", "88.9"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"step_accept": ""}, "step_accept"),
        ({"step_analyze": "5"}, "step_analyze"),
        ({"wording_ok": "maybe"}, "wording_ok"),
        ({"escalation_right": "perhaps"}, "escalation_right"),
        ({"comment": "x" * 4001}, "comment"),
    ],
)
def test_a_bad_scorecard_names_the_field(october, auditor, office_hours, change, field):
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    row = SampledCase.objects.filter(sample=sample).first()
    with pytest.raises(InvalidInput) as error:
        scorecard_save(sampled_case=row, actor=auditor, data={**WELL_DONE, **change})
    assert list(error.value.fields) == [field]
    assert not Scorecard.objects.exists()


@pytest.mark.parametrize("who", ["agent", "supervisor", "desk"])
def test_only_auditors_score(october, auditor, request, who, office_hours):
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    row = SampledCase.objects.filter(sample=sample).first()
    with pytest.raises(NotAllowed):
        scorecard_save(sampled_case=row, actor=request.getfixturevalue(who), data=WELL_DONE)
    assert not Scorecard.objects.exists()


def test_saving_a_scorecard_runs_a_fixed_number_of_queries(
    october, auditor, office_hours, django_assert_max_num_queries
):
    sample = quality_sample_create(actor=auditor, data=OCTOBER)
    row = SampledCase.objects.filter(sample=sample).first()
    with django_assert_max_num_queries(8):
        scorecard_save(sampled_case=row, actor=auditor, data=WELL_DONE)


def test_last_months_bottom_fifth_get_an_extra_review(auditor, office_hours):
    """Five agents scored in September: the lowest is the bottom fifth and gets 40 in October."""
    from tests.factories import UserFactory

    agents = [UserFactory(username=f"agent_{i}", role="agent") for i in range(5)]
    for i, agent in enumerate(agents):
        closed_case_at(agent, dt.datetime(2026, 9, 10 + i, 10, 0, tzinfo=SHANGHAI))
        closed_case_at(agent, dt.datetime(2026, 10, 10 + i, 10, 0, tzinfo=SHANGHAI))
    september = quality_sample_create(actor=auditor, data={"month": "2026-09", "seed": "1"})
    for row in SampledCase.objects.filter(sample=september).select_related("agent"):
        poor = row.agent == agents[2]
        scorecard_save(sampled_case=row, actor=auditor, data={**WELL_DONE, "step_assure": "0" if poor else "2"})
    october = quality_sample_create(actor=auditor, data=OCTOBER)
    rules = {row.agent_id: (row.rule, row.quota, row.last_score) for row in october.agents.all()}
    assert rules[agents[2].pk][:2] == ("bottom", 40)
    assert str(rules[agents[2].pk][2]) == "88.9"
    assert {rules[a.pk][:2] for a in agents if a != agents[2]} == {("base", 20)}
    months, scores = agent_scores_by_month()
    assert months == [dt.date(2026, 9, 1), dt.date(2026, 10, 1)]  # October sampled, not scored yet
    assert {row.agent.username: row.cells for row in scores}["agent_2"] == [(88.9, 1), (None, 0)]
