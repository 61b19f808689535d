"""The monthly quality review (issue 11, item 4): the sample of a month, drawing it (auditors, after a
preview), the scorecards and the scores per agent over time (audit/sampling.py, audit/services.py)."""

import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Role, has_role
from core.errors import ApplicationError, InvalidInput, NotAllowed
from core.forms import add_service_errors

from .access import can_read_audit
from .models import SampleState, Scorecard
from .sampling import BASE_QUOTA, EXTRA_QUOTA, RULE_LABELS
from .selectors import (
    agent_scores_by_month,
    latest_sample_months,
    sample_agents_page,
    sample_of_month,
    sample_totals,
    sampled_case_detail,
    scorecard_prefill,
)
from .services import (
    SCORECARD_FIELDS,
    SEED_MAX,
    SampleInput,
    ScorecardInput,
    current_month,
    parse_month,
    previous_month,
    quality_sample_create,
    sample_input_clean,
    sample_plan,
    scorecard_save,
)


def _readers_only(request):
    if not can_read_audit(request.user):
        raise PermissionDenied


def _may_review(user) -> bool:
    return has_role(user, Role.AUDITOR)


def _quality_url(month, anchor=""):
    return f"{reverse('audit:quality')}?month={month:%Y-%m}" + (f"#{anchor}" if anchor else "")


@login_required
def quality_view(request):
    """The month's sample: per agent, the quota and why, the strata, each case with its reason."""
    _readers_only(request)
    months = latest_sample_months()
    month = months[0] if months else previous_month(current_month())
    if request.GET.get("month"):
        try:
            month = parse_month(request.GET["month"])
        except InvalidInput as exc:
            messages.warning(request, f"month: {exc.message}")
    sample = sample_of_month(month)
    page = totals = None
    if sample is not None:
        try:
            page = sample_agents_page(sample, request.GET.get("page") or 1)
        except InvalidPage:
            messages.warning(request, _("page: there is no such page; showing the first."))
            page = sample_agents_page(sample, 1)
        totals = sample_totals(sample)
    return render(
        request,
        "audit/quality.html",
        {
            "nav": "audit",
            "month": month,
            "months": months,
            "sample": sample,
            "complete": sample is not None and sample.state == SampleState.COMPLETE,
            "page": page,
            "totals": totals,
            "may_review": _may_review(request.user),
            "base_quota": BASE_QUOTA,
            "extra_quota": EXTRA_QUOTA,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sample_run_view(request):
    """Draw a month's sample: the form, then what it would pick (nothing written), then confirm."""
    if not _may_review(request.user):
        raise PermissionDenied
    context = {"nav": "audit", "seed_max": SEED_MAX}
    if request.method == "GET":
        default = previous_month(current_month())
        form = SampleInput(initial={"month": f"{default:%Y-%m}", "seed": secrets.randbelow(1_000_000)})
        return render(request, "audit/sample_run.html", {**context, "form": form})
    form = SampleInput(request.POST)
    try:
        if request.POST.get("confirm") == "yes":
            sample = quality_sample_create(actor=request.user, data=request.POST)
            messages.success(request, _("The sample of %(month)s is drawn.") % {"month": f"{sample.month:%Y-%m}"})
            return redirect(_quality_url(sample.month))
        cleaned = sample_input_clean(request.POST)
    except NotAllowed:
        raise PermissionDenied from None
    except InvalidInput as exc:
        form.is_valid()
        add_service_errors(form, exc)
        if not exc.fields:
            messages.error(request, exc.message)
        return render(request, "audit/sample_run.html", {**context, "form": form}, status=400)
    except ApplicationError as exc:  # the month was sampled meanwhile
        messages.error(request, exc.message)
        form.is_valid()
        return render(request, "audit/sample_run.html", {**context, "form": form}, status=exc.http_status)
    month, seed = cleaned["month"], cleaned["seed"]
    existing = sample_of_month(month)
    plan = sample_plan(month, seed)
    users = {}
    if plan.agents:
        users = get_user_model().objects.in_bulk([agent.agent_id for agent in plan.agents])
    rows = [(users.get(agent.agent_id), agent, RULE_LABELS[agent.rule]) for agent in plan.agents]
    return render(
        request,
        "audit/sample_run.html",
        {
            **context,
            "form": form,
            "preview": True,
            "month": month,
            "seed": seed,
            "existing": existing,
            "rows": rows,
            "picked": len(plan.picks),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_view(request, pk):
    """A sampled case's scorecard: auditors fill it in (pre-filled with what the system knows),
    supervisors read it."""
    _readers_only(request)
    sampled = sampled_case_detail(pk)
    if sampled is None:
        raise Http404
    may_review = _may_review(request.user)
    existing = getattr(sampled, "scorecard", None)
    prefill = scorecard_prefill(sampled)
    status = 200
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied
        form = ScorecardInput(request.POST)
        try:
            scorecard_save(sampled_case=sampled, actor=request.user, data=request.POST)
        except InvalidInput as exc:
            form.is_valid()
            add_service_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("Scorecard saved for case %(number)s.") % {"number": sampled.case.number})
            return redirect(_quality_url(sampled.sample.month, f"agent-{sampled.agent_id}"))
    else:
        form = ScorecardInput(initial=_initial(existing) if existing else prefill.initial)
    return render(
        request,
        "audit/scorecard.html",
        {
            "nav": "audit",
            "sampled": sampled,
            "case": sampled.case,
            "scorecard": existing,
            "prefill": prefill,
            "form": form,
            "may_review": may_review,
            "back_url": _quality_url(sampled.sample.month, f"agent-{sampled.agent_id}"),
        },
        status=status,
    )


def _initial(scorecard: Scorecard) -> dict:
    initial = {name: getattr(scorecard, name) for name in SCORECARD_FIELDS}
    initial["wording_ok"] = "yes" if scorecard.wording_ok else "no"
    return initial


@login_required
def scores_view(request):
    """Scores per agent over the sampled months, with a line of each agent's trend."""
    _readers_only(request)
    months, rows = agent_scores_by_month()
    return render(request, "audit/scores.html", {"nav": "audit", "months": months, "rows": rows})
