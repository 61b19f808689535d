"""Writes of the quality review: drawing a month's sample, saving a scorecard. Only auditors write
(supervisors read the same pages); each write is one transaction.

One sample per month, never redrawn: scorecards hang off its cases, and a redraw that dropped a
scored case would lose the review. A month is sampled once it is over (its closed cases are known).
"""

import datetime as dt

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.roles import Role, has_role
from cases.choices import CaseState
from cases.evidence import TEXT_LIMIT
from cases.models import Case
from core.errors import Conflict, InvalidInput, NotAllowed
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm

from .models import (
    STEP_FIELDS,
    QualitySample,
    SampleAgent,
    SampledCase,
    SampleState,
    Scorecard,
    StepScore,
    Verdict,
)
from .sampling import EXEMPT_AFTER_MONTHS, ClosedCase, SamplePlan, draw_sample, exempt_agents

SEED_MAX = 2**31 - 1

MSG_MONTH_FORMAT = _("Enter a month as YYYY-MM, e.g. 2026-10.")
MSG_MONTH_NOT_OVER = _("Only a month that is over can be sampled; %(month)s is not over yet.")
MSG_NO_CASES = _("No agent closed a case in %(month)s: there is nothing to sample.")
MSG_SAMPLED = _("%(month)s has been sampled already; a month is sampled once, so its scores stay.")
MSG_INVALID_SAMPLE = _("Check the sample: %(fields)s.")
MSG_INVALID_SCORECARD = _("Check the scorecard: %(fields)s.")
# Formatted when shown, in the reader's language (not once, in whatever language loaded the module).
MSG_SEED_RANGE = lazy(lambda: _("Enter a whole number from 0 to %(max)s.") % {"max": SEED_MAX}, str)()


def parse_month(raw) -> dt.date:
    """'YYYY-MM' → the first day of that month; InvalidInput naming `month` otherwise."""
    try:
        year, month = (int(part) for part in str(raw).strip().split("-"))
        if not (len(str(raw).strip()) == 7 and 2000 <= year <= 2099):
            raise ValueError
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise InvalidInput(MSG_MONTH_FORMAT, fields={"month": [MSG_MONTH_FORMAT]}) from None


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's, in the team's zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(month, dt.time(), tzinfo=zone)
    return start, dt.datetime.combine(next_month(month), dt.time(), tzinfo=zone)


def current_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def month_closed_cases(month: dt.date) -> list[ClosedCase]:
    """The month's closed cases of front-line agents, for sampling: the case's owner is the agent; the
    contact is the first contact (the case's logging when none was recorded); handling time runs
    from it to the close. One query."""
    start, end = month_bounds(month)
    rows = (
        Case.objects.filter(
            state=CaseState.CLOSED, closed_at__gte=start, closed_at__lt=end, owner__groups__name=Role.AGENT
        )
        .order_by("id")
        .values_list("id", "owner_id", "first_contact_at", "created_at", "closed_at")
    )
    cases = []
    for case_id, owner_id, first_contact_at, created_at, closed_at in rows:
        contact = first_contact_at or created_at
        handling = max(closed_at - contact, dt.timedelta(0))
        cases.append(ClosedCase(case_id, owner_id, timezone.localtime(contact).time(), handling))
    return cases


def agent_month_scores(months) -> dict:
    """month → {agent id: average score (%)} of those months' scorecards. One query."""
    scores = {month: {} for month in months}
    rows = (
        Scorecard.objects.filter(sampled_case__sample__month__in=list(months))
        .values_list("sampled_case__sample__month", "sampled_case__agent_id")
        .annotate(average=Avg("percent"))
        .order_by()
    )
    for month, agent_id, average in rows:
        scores[month][agent_id] = float(average)
    return scores


def sample_plan(month: dt.date, seed: int) -> SamplePlan:
    """What a sample of `month` drawn with `seed` would pick (nothing written): the service and the
    confirmation page both read it. Two queries."""
    earlier, recent = month, []
    for _i in range(EXEMPT_AFTER_MONTHS):
        earlier = previous_month(earlier)
        recent.append(earlier)
    scores = agent_month_scores(recent)
    return draw_sample(
        month_closed_cases(month),
        last_scores=scores[recent[0]],
        exempt=exempt_agents([scores[m] for m in reversed(recent)]),
        seed=seed,
    )


class SampleInput(StrictInputForm):
    month = forms.CharField(label=_("Month"), max_length=7)
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=SEED_MAX,
        error_messages={"min_value": MSG_SEED_RANGE, "max_value": MSG_SEED_RANGE},
    )

    def clean_month(self):
        try:
            month = parse_month(self.cleaned_data["month"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None
        if month >= current_month():
            raise forms.ValidationError(MSG_MONTH_NOT_OVER % {"month": f"{month:%Y-%m}"})
        return month


def sample_input_clean(data) -> dict:
    return valid_input(SampleInput, data, MSG_INVALID_SAMPLE)


def _may_write(actor):
    if not has_role(actor, Role.AUDITOR):
        raise NotAllowed()


def quality_sample_create(*, actor, data) -> QualitySample:
    """Draw the sample of `data["month"]` ('YYYY-MM', a month that is over) with `data["seed"]`."""
    _may_write(actor)
    cleaned = sample_input_clean(data)
    month, seed = cleaned["month"], cleaned["seed"]
    label = f"{month:%Y-%m}"
    if QualitySample.objects.filter(month=month).exists():
        raise Conflict(MSG_SAMPLED % {"month": label})
    plan = sample_plan(month, seed)
    if not plan.agents:
        raise InvalidInput(MSG_NO_CASES % {"month": label}, fields={"month": [MSG_NO_CASES % {"month": label}]})
    now = timezone.now()
    short_max, long_min = plan.thresholds
    sample = QualitySample(
        month=month,
        seed=seed,
        created_by=actor,
        created_at=now,
        short_max_seconds=int(short_max.total_seconds()),
        long_min_seconds=int(long_min.total_seconds()),
    )
    try:
        with transaction.atomic():
            save_tracked(sample, user=actor, at=now)
            SampleAgent.objects.bulk_create(
                SampleAgent(
                    sample=sample,
                    agent_id=agent.agent_id,
                    closed=agent.closed,
                    rule=agent.rule,
                    quota=agent.quota,
                    last_score=None if agent.last_score is None else round(agent.last_score, 1),
                )
                for agent in plan.agents
            )
            SampledCase.objects.bulk_create(
                SampledCase(
                    sample=sample,
                    case_id=pick.case_id,
                    agent_id=pick.agent_id,
                    time_bucket=pick.time_bucket,
                    handling_bucket=pick.handling_bucket,
                    rule=pick.rule,
                    filled_for_time=pick.filled_for_time,
                    filled_for_handling=pick.filled_for_handling,
                    all_taken=pick.all_taken,
                )
                for pick in plan.picks
            )
    except IntegrityError:  # two auditors drew the same month at once
        raise Conflict(MSG_SAMPLED % {"month": label}) from None
    return sample


# --- scorecards ---------------------------------------------------------------------------------


def _choice(label, choices, **kwargs):
    return forms.TypedChoiceField(label=label, choices=choices, widget=forms.RadioSelect, **kwargs)


class ScorecardInput(StrictInputForm):
    step_accept = _choice(_("Accept"), StepScore.choices, coerce=int)
    step_apologize = _choice(_("Apologize"), StepScore.choices, coerce=int)
    step_acknowledge = _choice(_("Acknowledge"), StepScore.choices, coerce=int)
    step_analyze = _choice(_("Analyze"), StepScore.choices, coerce=int)
    step_offer_alternatives = _choice(_("Alternatives"), StepScore.choices, coerce=int)
    step_agree = _choice(_("Agreement"), StepScore.choices, coerce=int)
    step_assure = _choice(_("Assure"), StepScore.choices, coerce=int)
    wording_ok = _choice(
        _("Wording free of phrases to avoid"),
        [("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    promises_kept = _choice(_("Promises kept"), Verdict.choices)
    escalation_right = _choice(_("Escalation handled right"), Verdict.choices)
    comment = forms.CharField(
        label=pgettext_lazy("scorecard", "Comment"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea
    )


SCORECARD_FIELDS = (*STEP_FIELDS, "wording_ok", "promises_kept", "escalation_right", "comment")


def scorecard_save(*, sampled_case: SampledCase, actor, data) -> Scorecard:
    """Score (or re-score) a sampled case; the sample is complete once every case has a scorecard.
    Who scored what before stays in the scorecard's history."""
    _may_write(actor)
    cleaned = valid_input(ScorecardInput, data, MSG_INVALID_SCORECARD)
    now = timezone.now()
    with transaction.atomic():
        scorecard = Scorecard.objects.select_for_update().filter(sampled_case=sampled_case).first()
        if scorecard is None:
            scorecard = Scorecard(sampled_case=sampled_case, created_at=now)
        for name in SCORECARD_FIELDS:
            setattr(scorecard, name, cleaned[name])
        scorecard.reviewer, scorecard.updated_at = actor, now
        save_tracked(scorecard, user=actor, at=now)
        sample = QualitySample.objects.select_for_update().get(pk=sampled_case.sample_id)
        if sample.state == SampleState.IN_REVIEW and not sample.cases.filter(scorecard__isnull=True).exists():
            sample.complete()
            save_tracked(sample, user=actor, at=now)
    return scorecard
