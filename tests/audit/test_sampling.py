"""The monthly sample's rules (audit/sampling.py) on generated months: quotas, strata shares, the
extra reviews and exemptions, and that a seed reproduces the draw."""

from collections import Counter
from datetime import time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.sampling import (
    BASE_QUOTA,
    EXTRA_QUOTA,
    HANDLING_BUCKETS,
    HANDLING_SHARES,
    LONG,
    NIGHT,
    NORMAL,
    OFF_PEAK,
    PEAK,
    SHORT,
    TIME_BUCKETS,
    TIME_SHARES,
    ClosedCase,
    apportion,
    bottom_agents,
    cell_targets,
    draw_sample,
    exempt_agents,
    handling_bucket,
    handling_thresholds,
    time_bucket,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A local clock time inside each bucket, to build cases of a known time of day.
TIMES = {
    PEAK: st.sampled_from([time(9), time(11, 59), time(14), time(17, 30)]),
    OFF_PEAK: st.sampled_from([time(8), time(12, 30), time(13, 59), time(18), time(21, 59)]),
    NIGHT: st.sampled_from([time(22), time(23, 59), time(0), time(3, 15), time(7, 59)]),
}


@st.composite
def any_month(draw):
    """Any month: up to 12 agents with 0–70 closed cases at any time, any handling time."""
    agents = draw(st.lists(st.integers(1, 500), min_size=1, max_size=12, unique=True))
    cases, next_id = [], 1
    for agent in agents:
        for _i in range(draw(st.integers(0, 70))):
            contact = time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))
            handling = timedelta(minutes=draw(st.integers(1, 20_000)))
            cases.append(ClosedCase(next_id, agent, contact, handling))
            next_id += 1
    scored = draw(st.lists(st.sampled_from(agents), unique=True))
    last_scores = {agent: draw(st.floats(0, 100)) for agent in scored}
    exempt = set(draw(st.lists(st.sampled_from(agents), unique=True, max_size=2)))
    return cases, last_scores, exempt


@st.composite
def ample_month(draw):
    """A month where every stratum of every agent has more cases than any quota asks of it: per
    agent and time of day, `a` short, `3a` normal and `a` long cases (so the month is exactly a fifth
    short and a fifth long), with short < normal < long handling times."""
    agents = draw(st.lists(st.integers(1, 500), min_size=1, max_size=6, unique=True))
    ranges = {SHORT: (1, 99), NORMAL: (100, 999), LONG: (1000, 5000)}
    cases, next_id = [], 1
    for agent in agents:
        for bucket in TIME_BUCKETS:
            a = draw(st.integers(15, 20))
            for kind, count in ((SHORT, a), (NORMAL, 3 * a), (LONG, a)):
                for _i in range(count):
                    minutes = draw(st.integers(*ranges[kind]))
                    cases.append(ClosedCase(next_id, agent, draw(TIMES[bucket]), timedelta(minutes=minutes)))
                    next_id += 1
    last_scores = {agent: draw(st.floats(0, 100)) for agent in agents}
    return cases, last_scores


def _quota(agent, last_scores, exempt):
    if agent in exempt:
        return 0
    return EXTRA_QUOTA if agent in bottom_agents(last_scores) else BASE_QUOTA


@SETTINGS
@given(month=any_month(), seed=st.integers(0, 2**31 - 1))
def test_every_agent_gets_their_quota_or_all_they_closed(month, seed):
    cases, last_scores, exempt = month
    plan = draw_sample(cases, last_scores=last_scores, exempt=exempt, seed=seed)
    closed = Counter(case.agent_id for case in cases)
    assert {agent.agent_id for agent in plan.agents} == set(closed)
    by_id = {case.id: case for case in cases}
    thresholds = handling_thresholds([case.handling for case in cases])
    for agent in plan.agents:
        quota = _quota(agent.agent_id, last_scores, exempt)
        assert agent.quota == quota
        assert len(agent.picks) == min(quota, closed[agent.agent_id])
        assert len({pick.case_id for pick in agent.picks}) == len(agent.picks)
        for pick in agent.picks:
            case = by_id[pick.case_id]
            assert case.agent_id == agent.agent_id
            # The stratum a pick names is the case's own, and the reason says it in words.
            assert pick.time_bucket == time_bucket(case.contact_time)
            assert pick.handling_bucket == handling_bucket(case.handling, thresholds)
            assert pick.reason
            assert ("in place of" in pick.reason) == bool(pick.filled_for_time)
            assert pick.all_taken == (closed[agent.agent_id] <= quota)


@SETTINGS
@given(month=any_month(), seed=st.integers(0, 2**31 - 1))
def test_a_stratum_short_of_cases_is_filled_from_its_neighbours(month, seed):
    cases, last_scores, exempt = month
    plan = draw_sample(cases, last_scores=last_scores, exempt=exempt, seed=seed)
    thresholds = handling_thresholds([case.handling for case in cases])
    for agent in plan.agents:
        mine = [case for case in cases if case.agent_id == agent.agent_id]
        if not agent.quota or len(mine) <= agent.quota:
            continue
        available = Counter((time_bucket(c.contact_time), handling_bucket(c.handling, thresholds)) for c in mine)
        targets = cell_targets(agent.quota)
        shortfall = sum(max(0, target - available[key]) for key, target in targets.items())
        filled = [pick for pick in agent.picks if pick.filled_for_time]
        assert len(filled) == shortfall
        # Each stands in for a stratum that really lacked cases, and none for a full one.
        for pick in filled:
            assert (
                available[(pick.filled_for_time, pick.filled_for_handling)]
                < targets[(pick.filled_for_time, pick.filled_for_handling)]
            )
        picked = Counter((p.time_bucket, p.handling_bucket) for p in agent.picks if not p.filled_for_time)
        for key, target in targets.items():
            assert picked[key] == min(target, available[key])


@SETTINGS
@given(month=ample_month(), seed=st.integers(0, 2**31 - 1))
def test_with_enough_cases_the_shares_are_60_20_20_and_20_60_20(month, seed):
    cases, last_scores = month
    plan = draw_sample(cases, last_scores=last_scores, exempt=set(), seed=seed)
    assert len(bottom_agents(last_scores)) == len(last_scores) // 5
    for agent in plan.agents:
        by_time = Counter(pick.time_bucket for pick in agent.picks)
        by_handling = Counter(pick.handling_bucket for pick in agent.picks)
        assert dict(by_time) == {k: v for k, v in apportion(agent.quota, TIME_SHARES).items() if v}
        assert dict(by_handling) == {k: v for k, v in apportion(agent.quota, HANDLING_SHARES).items() if v}
        assert not any(pick.filled_for_time for pick in agent.picks)
        if agent.quota == BASE_QUOTA:
            assert (by_time[PEAK], by_time[OFF_PEAK], by_time[NIGHT]) == (12, 4, 4)
            assert (by_handling[SHORT], by_handling[NORMAL], by_handling[LONG]) == (4, 12, 4)
        else:
            assert (by_time[PEAK], by_time[OFF_PEAK], by_time[NIGHT]) == (24, 8, 8)
            assert (by_handling[SHORT], by_handling[NORMAL], by_handling[LONG]) == (8, 24, 8)


@SETTINGS
@given(month=any_month(), seed=st.integers(0, 2**31 - 1))
def test_the_same_seed_draws_the_same_cases_whatever_the_input_order(month, seed):
    cases, last_scores, exempt = month
    first = draw_sample(cases, last_scores=last_scores, exempt=exempt, seed=seed)
    again = draw_sample(list(reversed(cases)), last_scores=dict(last_scores), exempt=set(exempt), seed=seed)
    assert first == again
    assert [pick.reason for pick in first.picks] == [pick.reason for pick in again.picks]


@SETTINGS
@given(quota=st.integers(0, 60))
def test_the_strata_targets_add_up_to_both_sets_of_shares(quota):
    cells = cell_targets(quota)
    assert sum(cells.values()) == quota
    for t, n in apportion(quota, TIME_SHARES).items():
        assert sum(cells[(t, h)] for h in HANDLING_BUCKETS) == n
    for h, n in apportion(quota, HANDLING_SHARES).items():
        assert sum(cells[(t, h)] for t in TIME_BUCKETS) == n


def _month(agents=(1, 2, 3, 4, 5), per_agent=60):
    cases = []
    for agent in agents:
        for i in range(per_agent):
            case_id = agent * 1000 + i
            cases.append(ClosedCase(case_id, agent, time((i * 7) % 24, 0), timedelta(minutes=10 + (i * 37) % 900)))
    return cases


def test_a_different_seed_draws_other_cases():
    cases = _month()
    draws = {frozenset(draw_sample(cases, last_scores={}, exempt=set(), seed=seed).picks) for seed in range(5)}
    assert len(draws) == 5


def test_the_bottom_fifth_get_forty_and_the_exempt_none():
    scores = {1: 40.0, 2: 90.0, 3: 70.0, 4: 80.0, 5: 85.0, 6: 60.0, 7: 75.0, 8: 65.0, 9: 88.0, 10: 95.0}
    assert bottom_agents(scores) == {1, 6}
    plan = draw_sample(_month(agents=range(1, 11)), last_scores=scores, exempt={10}, seed=7)
    picked = {agent.agent_id: len(agent.picks) for agent in plan.agents}
    assert picked[1] == picked[6] == 40
    assert picked[10] == 0
    assert {picked[a] for a in (2, 3, 4, 5, 7, 8, 9)} == {20}
    reasons = {pick.reason for pick in plan.picks if pick.agent_id == 1}
    assert all("extra review: bottom 20% last month" in reason for reason in reasons)


def test_fewer_than_five_scored_agents_make_no_bottom_fifth():
    assert bottom_agents({1: 10.0, 2: 90.0, 3: 50.0, 4: 60.0}) == set()
    assert bottom_agents({1: 10.0, 2: 90.0, 3: 50.0, 4: 60.0, 5: None}) == set()


def test_exempt_only_after_three_months_in_the_top_tenth():
    def month(best):
        return {agent: (99.0 if agent == best else 50.0 + agent) for agent in range(1, 11)}

    assert exempt_agents([month(3), month(3), month(3)]) == {3}
    assert exempt_agents([month(3), month(4), month(3)]) == set()
    assert exempt_agents([month(3), month(3)]) == set()


def test_time_of_day_and_handling_buckets_at_their_edges():
    assert [time_bucket(time(h, m)) for h, m in ((8, 59), (9, 0), (11, 59), (12, 0), (13, 59), (14, 0))] == [
        OFF_PEAK,
        PEAK,
        PEAK,
        OFF_PEAK,
        OFF_PEAK,
        PEAK,
    ]
    assert [time_bucket(time(h, m)) for h, m in ((17, 59), (18, 0), (21, 59), (22, 0), (7, 59), (8, 0))] == [
        PEAK,
        OFF_PEAK,
        OFF_PEAK,
        NIGHT,
        NIGHT,
        OFF_PEAK,
    ]
    durations = [timedelta(minutes=m) for m in range(1, 11)]
    thresholds = handling_thresholds(durations)
    assert [handling_bucket(d, thresholds) for d in durations] == [SHORT] * 2 + [NORMAL] * 6 + [LONG] * 2


def test_an_agent_with_few_cases_has_all_of_them_with_that_reason():
    cases = _month(agents=(1,), per_agent=6)
    plan = draw_sample(cases, last_scores={}, exempt=set(), seed=1)
    assert sorted(pick.case_id for pick in plan.picks) == sorted(case.id for case in cases)
    assert all("every case the agent closed this month" in pick.reason for pick in plan.picks)
