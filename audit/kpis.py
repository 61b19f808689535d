"""The dashboard's service KPIs (issue 11, item 5): selectors only, one per KPI.

Each takes a `KpiFilter` — the period [start, end) as aware datetimes and, for a team, the user ids of
its members (None: everyone) — and returns plain data (codes and numbers, no labels), so the result
can be cached and shown in either language. A team is the people whose profile names a supervisor
(accounts.Profile.supervisor); there is no team model. Whose a row is, per KPI: a case's current
owner (open cases, first contact, satisfaction), the case's owner when its event was written (time
per step, reopen rate: CaseEvent.owner), who answers for a deadline (Deadline.owner), a promise's
keeper, an escalation's owner when it was requested — none of the period's KPIs joins the cases.

Portability: ORM aggregates only (Count with filter=Q, TruncDate, subtraction of datetimes), the same
SQL shape on SQLite and PostgreSQL. Medians are exact and computed in the database without a
PostgreSQL-only percentile: window functions number each step's durations and only the middle rows
are returned (see median_hours_per_step), so no unbounded list is read into Python.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.people import display_name
from cases.choices import OPEN_STATES, SEVEN_A_STEPS, CaseState, DeadlineKind
from cases.deadline_measures import BREACHED as DEADLINE_BREACHED
from cases.deadline_measures import DECIDED as DEADLINE_DECIDED
from cases.models import Case, CaseEvent, Deadline, Promise
from cases.promise_measures import DECIDED as PROMISE_DECIDED
from cases.promise_measures import KEPT_IN_TIME, KEPT_LATE
from escalation.models import CaseCustomerType, Escalation

from .models import Scorecard

# The transitions that complete each 7A step, in order (accept … assure).
STEP_KINDS = tuple(kind for _state, kind, _label in SEVEN_A_STEPS)
# For each open state, the 7A step the case waits for ("assured" waits only to be closed: None).
NEXT_STEP = {CaseState.NEW: "accept", CaseState.ASSURED: None} | {
    state: STEP_KINDS[i + 1] for i, (state, _kind, _label) in enumerate(SEVEN_A_STEPS[:-1])
}
SATISFACTION_SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class KpiFilter:
    start: datetime
    end: datetime
    agent_ids: frozenset | None = None  # a team's members; None for everyone
    zone: str = "Asia/Shanghai"  # the reader's zone: "the same day" in first-contact resolution

    def by(self, field: str) -> Q:
        """Rows of the team's members, through `field` (a user id column)."""
        return Q() if self.agent_ids is None else Q(**{f"{field}__in": sorted(self.agent_ids)})

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def open_cases_per_state(f: KpiFilter) -> dict:
    """Open cases now, per state (a snapshot: the period does not apply), owned by the team. One query."""
    rows = Case.objects.filter(f.by("owner_id"), is_open=True).values("state").annotate(n=Count("id")).order_by()
    counts = {row["state"]: row["n"] for row in rows}
    return {state.value: counts.get(state.value, 0) for state in OPEN_STATES}


def open_cases_per_step(per_state: dict) -> dict:
    """The same open cases by the 7A step they wait for (a new case waits for Accept, an agreed one
    for Assure); assured cases wait only to be closed and are left out. No query."""
    waiting = dict.fromkeys(STEP_KINDS, 0)
    for state, n in per_state.items():
        step = NEXT_STEP.get(state)
        if step:
            waiting[step] += n
    return waiting


def _step_events(f: KpiFilter):
    return CaseEvent.objects.filter(f.within("created_at"), f.by("owner_id"), kind__in=STEP_KINDS)


def median_hours_per_step(f: KpiFilter) -> dict:
    """Median time spent on each 7A step, in hours, over the steps completed in the period.

    Time on a step = from the event after which the case waited for it (the complaint logged, the
    previous step, or a reopening) to the event that completed it; a reopened case counts its second
    round of Alternatives from the reopening. The step's event records it when it is written
    (CaseEvent.waited_seconds, cases/events.py). Per step: {"n": steps completed, "hours": median or
    None}. Exact to the minute, in one pass with no sort: the period's step events are counted per step
    and whole minute waited (GROUP BY, from `event_kind_time` alone on PostgreSQL), and the median is
    the middle of the minutes in order (the mean of the two middle ones for an even count), each minute
    taken at its middle — a dashboard shows hours to one decimal (6 minutes)."""
    minute = ExpressionWrapper(F("waited_seconds") / 60, output_field=IntegerField())
    rows = (
        _step_events(f)  # (a step recorded before waits were kept has none: its row is skipped below)
        .order_by()
        .values("kind", minute=minute)
        .annotate(n=Count("*"))  # not Count("id"): the index carries kind, time and wait, not the id
        .values_list("kind", "minute", "n")
    )
    counts = {}
    for kind, whole_minute, n in rows:
        if whole_minute is not None:
            counts.setdefault(kind, []).append((whole_minute, n))
    result = {}
    for kind in STEP_KINDS:
        per_minute = sorted(counts.get(kind, ()))
        total = sum(n for _minute, n in per_minute)
        if not total:
            result[kind] = {"n": 0, "hours": None}
            continue
        middle = [_nth_minute(per_minute, (total + 1) // 2), _nth_minute(per_minute, total // 2 + 1)]
        result[kind] = {"n": total, "hours": (sum(middle) / 2 + 0.5) / 60}
    return result


def _nth_minute(per_minute, position) -> int:
    """The whole minute of the `position`-th (from 1) shortest wait, from (minute, count) in order."""
    seen = 0
    for whole_minute, n in per_minute:
        seen += n
        if seen >= position:
            return whole_minute
    return per_minute[-1][0]


def _assured_in(f: KpiFilter):
    return Case.objects.filter(f.within("assured_at"), f.by("owner_id"))


def first_contact_resolution(f: KpiFilter) -> dict:
    """First-contact resolution: of the cases that reached Assure in the period (their latest Assure),
    the share whose Agreement was confirmed on the same calendar day as the first contact (in the
    reader's zone) and that were never reopened. We record no count of contacts, so "the first
    contact" is read as "the day of the first contact": a case needing a callback day to agree is not
    resolved at first contact. {"assured", "resolved", "rate"}. One query."""
    zone = zoneinfo.ZoneInfo(f.zone)
    totals = (
        _assured_in(f)
        .annotate(
            agreed_day=TruncDate("agreed_at", tzinfo=zone), contact_day=TruncDate("first_contact_at", tzinfo=zone)
        )
        .aggregate(
            assured=Count("id"),
            resolved=Count("id", filter=Q(agreed_day=F("contact_day"), reopen_count=0)),
        )
    )
    return {**totals, "rate": totals["resolved"] / totals["assured"] if totals["assured"] else None}


def satisfaction_distribution(f: KpiFilter) -> dict:
    """How satisfied the customers were, 1–5, as recorded at Assure, for the cases assured in the
    period (the latest Assure; a case reopened and not yet assured again has no score and is left
    out). {"scores": {1: n, … 5: n}, "rated", "mean"}. One query."""
    totals = _assured_in(f).aggregate(
        **{f"s{score}": Count("id", filter=Q(satisfaction=score)) for score in SATISFACTION_SCORES}
    )
    scores = {score: totals[f"s{score}"] for score in SATISFACTION_SCORES}
    rated = sum(scores.values())
    mean = sum(score * n for score, n in scores.items()) / rated if rated else None
    return {"scores": scores, "rated": rated, "mean": mean}


def promise_kept_rate(f: KpiFilter) -> dict:
    """Promises kept in time, as cases/promise_measures.py counts them (the desk's figures agree):
    of the promises due in the period and decided — kept, missed, or rescheduled by us — the share
    kept and never missed. A promise the customer asked to move, one cancelled with a reason and one
    still open within its grace period do not count. Kept late counts as not kept in time.
    {"counted", "kept", "late", "missed", "rate"}; the team is the keepers. One query."""
    totals = Promise.objects.filter(PROMISE_DECIDED, f.within("due_at"), f.by("keeper_id")).aggregate(
        counted=Count("id"), kept=Count("id", filter=KEPT_IN_TIME), late=Count("id", filter=KEPT_LATE)
    )
    missed = totals["counted"] - totals["kept"] - totals["late"]
    return {**totals, "missed": missed, "rate": totals["kept"] / totals["counted"] if totals["counted"] else None}


def deadline_breaches(f: KpiFilter) -> dict:
    """Deadlines breached, as cases/deadline_measures.py counts them: of the deadlines due in the
    period and decided (met, or breached), those the sweep recorded as breached, per kind (first
    response, resolution). {kind: {"counted", "breached"}, "counted", "breached", "rate"}. One query."""
    per_kind = {
        kind: {
            "counted": Count("id", filter=Q(kind=kind)),
            "breached": Count("id", filter=DEADLINE_BREACHED & Q(kind=kind)),
        }
        for kind in DeadlineKind.values
    }
    aggregates = {f"{kind}_{key}": agg for kind, pair in per_kind.items() for key, agg in pair.items()}
    totals = Deadline.objects.filter(DEADLINE_DECIDED, f.within("due_at"), f.by("owner_id")).aggregate(**aggregates)
    result = {
        kind: {"counted": totals[f"{kind}_counted"], "breached": totals[f"{kind}_breached"]}
        for kind in DeadlineKind.values
    }
    counted = sum(result[kind]["counted"] for kind in DeadlineKind.values)
    breached = sum(result[kind]["breached"] for kind in DeadlineKind.values)
    return {"kinds": result, "counted": counted, "breached": breached, "rate": breached / counted if counted else None}


def _escalations(f: KpiFilter):
    return Escalation.objects.filter(f.within("requested_at"), f.by("previous_owner_id"))


def _active_tags():
    return CaseCustomerType.objects.filter(case=OuterRef("case"), removed_at__isnull=True)


def escalations_by_channel(f: KpiFilter) -> dict:
    """Escalations requested in the period, per channel of the case, and how many of them had no
    customer type on their case: {"channels": {code: n}, "total", "untyped"}. One query."""
    rows = (
        _escalations(f)
        .values("channel")
        .annotate(n=Count("id"), untyped=Count("id", filter=~Exists(_active_tags())))
        .order_by()
    )
    channels = {row["channel"]: row["n"] for row in rows}
    return {
        "channels": channels,
        "total": sum(channels.values()),
        "untyped": sum(row["untyped"] for row in rows),
    }


def escalations_by_customer_type(f: KpiFilter) -> dict:
    """Escalations requested in the period, per customer type on their case now (tags not removed;
    a case with two types counts under both). {type code: n}. One query."""
    rows = (
        CaseCustomerType.objects.filter(
            removed_at__isnull=True,
            case__escalations__requested_at__gte=f.start,
            case__escalations__requested_at__lt=f.end,
            **({} if f.agent_ids is None else {"case__escalations__previous_owner_id__in": sorted(f.agent_ids)}),
        )
        .values("customer_type__code")
        .annotate(n=Count("case__escalations", distinct=True))
        .order_by()
    )
    return {row["customer_type__code"]: row["n"] for row in rows}


def reopen_rate(f: KpiFilter) -> dict:
    """Reopen rate: cases reopened in the period / cases closed in the period (both counted by their
    events, since a reopening clears `closed_at`; only a closed case can be reopened, so withdrawals
    and rejections are not in the denominator). {"closed", "reopened", "rate"}. One query."""
    totals = CaseEvent.objects.filter(f.within("created_at"), f.by("owner_id"), kind__in=("close", "reopen")).aggregate(
        closed=Count("id", filter=Q(kind="close")), reopened=Count("id", filter=Q(kind="reopen"))
    )
    return {**totals, "rate": totals["reopened"] / totals["closed"] if totals["closed"] else None}


def qa_scores(f: KpiFilter) -> list:
    """Mean scorecard score (percent) per sampled agent, over the quality samples of the months the
    period touches (a sample covers a calendar month: audit/sampling.py), with the number of
    scorecards: [(agent's name, mean, n)]. One query, names included."""
    zone = zoneinfo.ZoneInfo(f.zone)
    first_month = timezone.localtime(f.start, zone).date().replace(day=1)
    agent = "sampled_case__agent__"
    rows = (
        Scorecard.objects.filter(
            f.by("sampled_case__agent_id"),
            sampled_case__sample__month__gte=first_month,
            sampled_case__sample__month__lt=timezone.localtime(f.end, zone).date(),
        )
        .values(f"{agent}id", f"{agent}username", f"{agent}first_name", f"{agent}last_name")
        .annotate(mean=Avg("percent"), n=Count("id"))
        .order_by()
    )
    user_model = get_user_model()
    named = []
    for row in rows:
        person = user_model(
            username=row[f"{agent}username"], first_name=row[f"{agent}first_name"], last_name=row[f"{agent}last_name"]
        )
        named.append((display_name(person), float(row["mean"]), row["n"]))
    return named


def qa_score_per_agent(scores) -> list:
    """Quality-review score per agent from (agent name, score) pairs, best first."""
    return sorted(((str(name), float(score)) for name, score in scores), key=lambda row: (-row[1], row[0]))
