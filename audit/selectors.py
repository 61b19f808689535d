"""Reads of the quality review pages, each with a fixed number of queries."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q

from cases.choices import SEVEN_A_STEPS, PromiseState
from cases.letters.wording import CUSTOMER_FACING, wording_hits
from cases.models import Promise
from cases.promise_measures import DECIDED, KEPT_IN_TIME
from escalation.choices import EscalationState
from escalation.models import Escalation

from .models import STEP_FIELDS, QualitySample, SampleAgent, SampledCase, Scorecard, StepScore, Verdict
from .sampling import HANDLING_BUCKETS, HANDLING_LABELS, TIME_BUCKETS, TIME_LABELS

AGENTS_PER_PAGE = 20
SCORE_MONTHS = 12


def sample_of_month(month: dt.date) -> QualitySample | None:
    return QualitySample.objects.select_related("created_by").filter(month=month).first()


def latest_sample_months(limit=12) -> list[dt.date]:
    return list(QualitySample.objects.order_by("-month").values_list("month", flat=True)[:limit])


def sample_agents_page(sample: QualitySample, page_number):
    """A page of the sample's agents, each with its sampled cases (case, scorecard) attached as
    `.picks`, `.scored` and `.strata` (count per time × handling). Four queries whatever the size."""
    agents = SampleAgent.objects.filter(sample=sample).select_related("agent").order_by("agent_id")
    page = Paginator(agents, AGENTS_PER_PAGE).page(page_number)
    ids = [row.agent_id for row in page.object_list]
    picks = (
        SampledCase.objects.filter(sample=sample, agent_id__in=ids)
        .select_related("case", "scorecard")
        .order_by("agent_id", "case_id")
    )
    by_agent = {}
    for pick in picks:
        pick.score = getattr(pick, "scorecard", None)
        by_agent.setdefault(pick.agent_id, []).append(pick)
    for row in page.object_list:
        row.picks = by_agent.get(row.agent_id, [])
        row.scored = sum(1 for pick in row.picks if pick.score is not None)
        strata = Counter((pick.time_bucket, pick.handling_bucket) for pick in row.picks)
        row.strata = [
            ((TIME_LABELS[t], HANDLING_LABELS[h]), strata[(t, h)])
            for t in TIME_BUCKETS
            for h in HANDLING_BUCKETS
            if strata[(t, h)]
        ]
    return page


def sample_totals(sample: QualitySample) -> dict:
    """Cases sampled and scored in the whole sample. One query."""
    return SampledCase.objects.filter(sample=sample).aggregate(
        picked=Count("id"), scored=Count("id", filter=Q(scorecard__isnull=False))
    )


def sampled_case_detail(pk) -> SampledCase | None:
    return (
        SampledCase.objects.select_related("sample", "agent", "case", "case__owner", "scorecard__reviewer")
        .filter(pk=pk)
        .first()
    )


# --- what the system already knows about a sampled case -------------------------------------------


@dataclass
class Prefill:
    """The scorecard's starting values, and the facts they come from, shown beside the form."""

    initial: dict
    steps: list = field(default_factory=list)  # (field, label, recorded at or None)
    wording: list = field(default_factory=list)  # WordingHit
    promises: dict = field(default_factory=dict)  # decided, kept in time, missed
    escalations: list = field(default_factory=list)


STEP_TIMES = ("accepted_at", "apologized_at", "acknowledged_at", "analyzed_at", "alternatives_offered_at", "agreed_at")


def scorecard_prefill(sampled_case: SampledCase) -> Prefill:
    """A step the case records is "done well" until the reviewer says otherwise, one it lacks "not
    done"; the wording check runs on the agent's customer-facing notes (the letters' own check);
    promises are kept when every decided promise was kept in time; an escalation's handling is for
    the reviewer to judge ("not applicable" only when there was none). Three queries."""
    case = sampled_case.case
    times = [getattr(case, name) for name in STEP_TIMES] + [case.assured_at]
    steps = [(name, label, at) for name, (_state, _t, label), at in zip(STEP_FIELDS, SEVEN_A_STEPS, times, strict=True)]
    initial = {name: StepScore.WELL if at else StepScore.NOT_DONE for name, _label, at in steps}
    hits = wording_hits([(label, getattr(case, name)) for name, label in CUSTOMER_FACING])
    initial["wording_ok"] = "no" if hits else "yes"
    promises = Promise.objects.filter(case=case).aggregate(
        decided=Count("id", filter=DECIDED),
        kept=Count("id", filter=KEPT_IN_TIME),
        missed=Count("id", filter=Q(missed_at__isnull=False) | Q(state=PromiseState.MISSED)),
    )
    if not promises["decided"]:
        initial["promises_kept"] = Verdict.NOT_APPLICABLE
    else:
        initial["promises_kept"] = Verdict.YES if promises["kept"] == promises["decided"] else Verdict.NO
    escalations = list(Escalation.objects.filter(case=case).select_related("accepted_by").order_by("requested_at"))
    initial["escalation_right"] = "" if escalations else Verdict.NOT_APPLICABLE
    if escalations and all(e.state == EscalationState.RESOLVED for e in escalations):
        initial["escalation_right"] = Verdict.YES
    return Prefill(initial=initial, steps=steps, wording=hits, promises=promises, escalations=escalations)


# --- scores per agent over time ---------------------------------------------------------------------


@dataclass
class AgentScores:
    agent: object
    cells: list  # per month: (average % or None, scorecards)
    sparkline: str = ""  # SVG polyline points
    latest: float | None = None


def agent_scores_by_month(months=SCORE_MONTHS):
    """(months, rows): the last `months` sampled months, oldest first, and each agent scored in any
    of them with their average score per month. Two queries."""
    recent = sorted(latest_sample_months(months))
    if not recent:
        return [], []
    rows = (
        Scorecard.objects.filter(sampled_case__sample__month__in=recent)
        .values_list("sampled_case__agent_id", "sampled_case__sample__month")
        .annotate(average=Avg("percent"), n=Count("id"))
        .order_by()
    )
    table = {}
    for agent_id, month, average, n in rows:
        table.setdefault(agent_id, {})[month] = (round(float(average), 1), n)
    users = get_user_model().objects.in_bulk(list(table))
    result = []
    for agent_id in sorted(table, key=lambda pk: (users[pk].username if pk in users else "", pk)):
        cells = [table[agent_id].get(month, (None, 0)) for month in recent]
        values = [(i, average) for i, (average, _n) in enumerate(cells) if average is not None]
        result.append(
            AgentScores(
                agent=users.get(agent_id),
                cells=cells,
                sparkline=sparkline_points(values, len(recent)),
                latest=values[-1][1] if values else None,
            )
        )
    return recent, result


SPARK_WIDTH, SPARK_HEIGHT = 120, 24


def sparkline_points(values, slots) -> str:
    """SVG polyline points for (slot index, percent 0–100) pairs across `slots` months."""
    step = SPARK_WIDTH / max(slots - 1, 1)
    return " ".join(
        f"{index * step:.1f},{SPARK_HEIGHT - 2 - value * (SPARK_HEIGHT - 4) / 100:.1f}" for index, value in values
    )
