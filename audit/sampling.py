"""The monthly quality-review sample (质检抽样): which closed cases each agent has reviewed, and why.

A pure function of its inputs (no database, no clock): the service reads the month's closed cases
and the agents' past scores, and `draw_sample` decides. The same inputs and seed give the same picks,
so an auditor can show how a sample came about.

The rules (the brief's "Quality review" section, made concrete; the page shows them too):

Time of day of the contact (the case's first contact, in the team's zone):
  - peak: 09:00–12:00 and 14:00–18:00;
  - night: 22:00–08:00;
  - off-peak: the rest (08:00–09:00, 12:00–14:00, 18:00–22:00).
  Shares: peak 60%, off-peak 20%, night 20%.

Handling time (first contact to close), against the whole team's cases closed that month:
  - short: the fastest fifth (at or below the value at the 20th percentile, nearest rank);
  - long: the slowest fifth (at or above the value at the 80th percentile, nearest rank);
  - normal: the rest. Shares: short 20%, normal 60%, long 20%.

Quota per agent: 20 cases; 40 for the bottom 20% of agents by last month's average score (the
lowest ⌊n/5⌋ of the n agents scored last month); none for an agent who was in the top 10% (the
highest ⌊n/10⌋) in each of the last three months (exempt for this month). Fewer scored agents than
5 (or 10) means nobody is in the bottom (or top) group: a ranking of three is no ranking. Ties are
broken by the agent's id, so the groups are reproducible.

An agent with no more closed cases than the quota has all of them reviewed. Otherwise the quota is
split over the nine strata (time of day × handling time) so that both sets of shares hold (largest
remainders, nearest the product of the shares); a stratum with too few cases is filled from its
neighbours — first the same time of day with another handling time, then the same handling time at
another time of day, then any — and each such pick says which stratum it stands in for.

Randomness: one `random.Random` per agent, seeded from the sample's seed and the agent's id, drawing
from each stratum's cases sorted by id.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import time, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# --- the buckets --------------------------------------------------------------------------------

PEAK, OFF_PEAK, NIGHT = "peak", "off_peak", "night"
SHORT, NORMAL, LONG = "short", "normal", "long"

TIME_BUCKETS = (PEAK, OFF_PEAK, NIGHT)
HANDLING_BUCKETS = (SHORT, NORMAL, LONG)
TIME_SHARES = {PEAK: 60, OFF_PEAK: 20, NIGHT: 20}
HANDLING_SHARES = {SHORT: 20, NORMAL: 60, LONG: 20}

TIME_LABELS = {
    PEAK: gettext_lazy("peak hours"),
    OFF_PEAK: gettext_lazy("off-peak hours"),
    NIGHT: gettext_lazy("night shift"),
}
HANDLING_LABELS = {
    SHORT: gettext_lazy("short handling time"),
    NORMAL: gettext_lazy("normal handling time"),
    LONG: gettext_lazy("long handling time"),
}

# (start, end) in local clock time, end exclusive.
PEAK_HOURS = ((time(9), time(12)), (time(14), time(18)))
NIGHT_FROM, NIGHT_UNTIL = time(22), time(8)

# Neighbours, nearest first: off-peak lies between peak and night; normal between short and long.
TIME_NEIGHBOURS = {PEAK: (OFF_PEAK, NIGHT), OFF_PEAK: (PEAK, NIGHT), NIGHT: (OFF_PEAK, PEAK)}
HANDLING_NEIGHBOURS = {SHORT: (NORMAL, LONG), NORMAL: (SHORT, LONG), LONG: (NORMAL, SHORT)}

# --- the quotas ---------------------------------------------------------------------------------

BASE_QUOTA = 20
EXTRA_QUOTA = 40
BOTTOM_SHARE = 5  # the bottom fifth (20%)
TOP_SHARE = 10  # the top tenth (10%)
EXEMPT_AFTER_MONTHS = 3

RULE_BASE, RULE_BOTTOM, RULE_EXEMPT = "base", "bottom", "exempt"
RULE_LABELS = {
    RULE_BASE: gettext_lazy("base quota"),
    RULE_BOTTOM: gettext_lazy("extra review: bottom 20% last month"),
    RULE_EXEMPT: gettext_lazy("exempt: top 10% three months running"),
}
QUOTAS = {RULE_BASE: BASE_QUOTA, RULE_BOTTOM: EXTRA_QUOTA, RULE_EXEMPT: 0}


def time_bucket(local_time: time) -> str:
    """The time-of-day bucket of a local clock time."""
    if any(start <= local_time < end for start, end in PEAK_HOURS):
        return PEAK
    if local_time >= NIGHT_FROM or local_time < NIGHT_UNTIL:
        return NIGHT
    return OFF_PEAK


def handling_thresholds(durations) -> tuple[timedelta, timedelta] | None:
    """(short at or below, long at or above) for the month's handling times, or None for none."""
    ordered = sorted(durations)
    if not ordered:
        return None
    fifth = math.ceil(len(ordered) / BOTTOM_SHARE)
    return ordered[fifth - 1], ordered[len(ordered) - fifth]


def handling_bucket(duration: timedelta, thresholds) -> str:
    short_max, long_min = thresholds
    # A month where every case took as long: all of them are normal, none short or long.
    if short_max == long_min:
        return NORMAL
    if duration <= short_max:
        return SHORT
    if duration >= long_min:
        return LONG
    return NORMAL


# --- inputs and outputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedCase:
    id: int
    agent_id: int
    contact_time: time  # local clock time of the first contact
    handling: timedelta  # first contact to close


@dataclass(frozen=True)
class Pick:
    case_id: int
    agent_id: int
    time_bucket: str
    handling_bucket: str
    rule: str  # the agent's quota rule
    # The stratum this pick stands in for when its own was short of cases ("" when not).
    filled_for_time: str = ""
    filled_for_handling: str = ""
    all_taken: bool = False  # the agent had no more closed cases than the quota

    @property
    def reason(self) -> str:
        return pick_reason(
            self.time_bucket,
            self.handling_bucket,
            rule=self.rule,
            filled_for_time=self.filled_for_time,
            filled_for_handling=self.filled_for_handling,
            all_taken=self.all_taken,
        )


@dataclass(frozen=True)
class AgentPlan:
    agent_id: int
    closed: int  # closed cases that month
    rule: str
    quota: int
    last_score: float | None
    picks: tuple[Pick, ...] = ()

    @property
    def target(self) -> int:
        return min(self.quota, self.closed)


@dataclass(frozen=True)
class SamplePlan:
    seed: int
    thresholds: tuple[timedelta, timedelta] | None
    agents: tuple[AgentPlan, ...] = field(default_factory=tuple)

    @property
    def picks(self) -> list[Pick]:
        return [pick for agent in self.agents for pick in agent.picks]


def pick_reason(time_code, handling_code, *, rule, filled_for_time="", filled_for_handling="", all_taken=False):
    """Why a case was picked, in the active language (stored as codes, written when read)."""
    stratum = _("%(time)s, %(handling)s") % {
        "time": TIME_LABELS.get(time_code, time_code),
        "handling": HANDLING_LABELS.get(handling_code, handling_code),
    }
    parts = [stratum]
    if all_taken:
        parts.append(_("every case the agent closed this month (no more than the quota)"))
    elif filled_for_time or filled_for_handling:
        wanted = _("%(time)s, %(handling)s") % {
            "time": TIME_LABELS.get(filled_for_time, filled_for_time),
            "handling": HANDLING_LABELS.get(filled_for_handling, filled_for_handling),
        }
        parts.append(_("in place of %(stratum)s (too few such cases)") % {"stratum": wanted})
    if rule == RULE_BOTTOM:
        parts.append(str(RULE_LABELS[RULE_BOTTOM]))
    return "; ".join(str(part) for part in parts)


# --- who gets how many --------------------------------------------------------------------------


def _ranked(scores: dict) -> list:
    """Agent ids from lowest to highest score, ties by id."""
    return [agent for agent, _score in sorted(scores.items(), key=lambda item: (item[1], item[0]))]


def bottom_agents(last_scores: dict) -> set:
    """The bottom 20% (⌊n/5⌋ lowest) of the agents scored last month."""
    ranked = _ranked({agent: score for agent, score in last_scores.items() if score is not None})
    return set(ranked[: len(ranked) // BOTTOM_SHARE])


def top_agents(scores: dict) -> set:
    """The top 10% (⌊n/10⌋ highest) of the agents scored in one month."""
    ranked = _ranked({agent: score for agent, score in scores.items() if score is not None})
    count = len(ranked) // TOP_SHARE
    return set(ranked[len(ranked) - count :]) if count else set()


def exempt_agents(recent_months: list[dict]) -> set:
    """Agents in the top 10% of each of the last three months (`recent_months`: the months' scores,
    agent id → average percentage, any order); fewer than three months known exempts nobody."""
    if len(recent_months) < EXEMPT_AFTER_MONTHS:
        return set()
    tops = [top_agents(scores) for scores in recent_months[-EXEMPT_AFTER_MONTHS:]]
    return set.intersection(*tops)


# --- splitting a quota over the strata ----------------------------------------------------------


def apportion(total: int, shares: dict) -> dict:
    """`total` split by `shares` (percentages) with the largest remainders; ties in key order."""
    exact = {key: total * share / 100 for key, share in shares.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    order = sorted(shares, key=lambda key: (-(exact[key] - counts[key]), list(shares).index(key)))
    for key in order[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def cell_targets(quota: int) -> dict:
    """How many of each (time, handling) stratum: the rows and columns add up to the apportioned
    shares of each, and each cell is as near as it can be to quota × both shares."""
    rows, cols = apportion(quota, TIME_SHARES), apportion(quota, HANDLING_SHARES)
    exact = {
        (t, h): quota * TIME_SHARES[t] * HANDLING_SHARES[h] / 10_000 for t in TIME_BUCKETS for h in HANDLING_BUCKETS
    }
    cells = {key: min(math.floor(value), rows[key[0]], cols[key[1]]) for key, value in exact.items()}
    row_left = {t: rows[t] - sum(cells[(t, h)] for h in HANDLING_BUCKETS) for t in TIME_BUCKETS}
    col_left = {h: cols[h] - sum(cells[(t, h)] for t in TIME_BUCKETS) for h in HANDLING_BUCKETS}
    order = list(exact)
    while any(row_left.values()):
        # A row still short has a column still short (their totals are equal): always a cell to grow.
        key = max(
            (key for key in order if row_left[key[0]] > 0 and col_left[key[1]] > 0),
            key=lambda key: (exact[key] - cells[key], -order.index(key)),
        )
        cells[key] += 1
        row_left[key[0]] -= 1
        col_left[key[1]] -= 1
    return cells


def _substitutes(t, h):
    """The strata that stand in for (t, h), nearest first."""
    same_time = [(t, other) for other in HANDLING_NEIGHBOURS[h]]
    same_handling = [(other, h) for other in TIME_NEIGHBOURS[t]]
    rest = [(ot, oh) for ot in TIME_NEIGHBOURS[t] for oh in HANDLING_NEIGHBOURS[h]]
    return same_time + same_handling + rest


def _draw_for_agent(cases, *, quota, rule, thresholds, seed, agent_id) -> list[Pick]:
    strata = {(t, h): [] for t in TIME_BUCKETS for h in HANDLING_BUCKETS}
    for case in sorted(cases, key=lambda c: c.id):
        strata[(time_bucket(case.contact_time), handling_bucket(case.handling, thresholds))].append(case)
    if len(cases) <= quota:
        return [
            Pick(case.id, agent_id, t, h, rule, all_taken=True)
            for (t, h), members in strata.items()
            for case in members
        ]
    rng = random.Random(f"{seed}:{agent_id}")  # noqa: S311 (a reproducible draw, not a secret)
    # Each stratum's cases in a random order of their own, then taken from the front.
    pools = {key: rng.sample(members, len(members)) for key, members in strata.items()}
    picks = []
    targets = cell_targets(quota)
    shortfalls = []
    for key, target in targets.items():
        taken = pools[key][:target]
        pools[key] = pools[key][target:]
        picks += [Pick(case.id, agent_id, key[0], key[1], rule) for case in taken]
        shortfalls += [key] * (target - len(taken))
    for wanted in shortfalls:
        for other in _substitutes(*wanted):
            if pools[other]:
                case = pools[other].pop(0)
                picks.append(Pick(case.id, agent_id, other[0], other[1], rule, wanted[0], wanted[1]))
                break
    return picks


def draw_sample(cases, *, last_scores: dict, exempt: set, seed: int) -> SamplePlan:
    """The month's sample.

    cases: the month's closed cases (ClosedCase), all agents; last_scores: agent id → last month's
    average percentage (agents not scored absent or None); exempt: agent ids exempt this month
    (see exempt_agents); seed: any integer. Returns every agent with closed cases, with their picks.
    """
    cases = sorted(cases, key=lambda c: c.id)
    thresholds = handling_thresholds([case.handling for case in cases])
    by_agent = {}
    for case in cases:
        by_agent.setdefault(case.agent_id, []).append(case)
    bottom = bottom_agents(last_scores)
    agents = []
    for agent_id in sorted(by_agent):
        mine = by_agent[agent_id]
        rule = RULE_EXEMPT if agent_id in exempt else RULE_BOTTOM if agent_id in bottom else RULE_BASE
        quota = QUOTAS[rule]
        picks = (
            _draw_for_agent(mine, quota=quota, rule=rule, thresholds=thresholds, seed=seed, agent_id=agent_id)
            if quota
            else []
        )
        agents.append(
            AgentPlan(
                agent_id=agent_id,
                closed=len(mine),
                rule=rule,
                quota=quota,
                last_score=last_scores.get(agent_id),
                picks=tuple(sorted(picks, key=lambda p: p.case_id)),
            )
        )
    return SamplePlan(seed=seed, thresholds=thresholds, agents=tuple(agents))
