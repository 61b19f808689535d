"""The service dashboard (issue 11, item 5): KPIs as charts, per period and team, for supervisors and
auditors. Reads only (GET/HEAD); the figures are cached for a few minutes (audit/dashboard.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.people import all_supervisors, display_name
from cases.choices import SEVEN_A_STEPS, CaseState, Channel, DeadlineKind
from escalation.services import active_customer_types

from . import charts, kpis
from .access import can_read_audit
from .dashboard import FIGURES_SECONDS, dashboard_figures
from .dashboard_params import ROLLING, dashboard_query_parse


def _percent(rate):
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _hours(hours):
    """Hours to one decimal; under an hour in minutes, under a minute in seconds (a step of minutes
    does not read as "0.0 h", nor bars of different lengths all as "0 min")."""
    if hours is None:
        return "—"
    if hours * 60 < 1:
        return _("%(seconds)s s") % {"seconds": f"{hours * 3600:.0f}"}
    if hours < 1:
        return _("%(minutes)s min") % {"minutes": f"{hours * 60:.0f}"}
    return _("%(hours)s h") % {"hours": f"{hours:.1f}"}


def _period_choices(now):
    """7d, 30d, 90d, then the last twelve calendar months (month:YYYY-MM), newest first."""
    labels = {"7d": _("Last 7 days"), "30d": _("Last 30 days"), "90d": _("Last 90 days")}
    choices = [(token, labels[token]) for token in ROLLING]
    local = timezone.localtime(now)
    year, month = local.year, local.month
    for _i in range(12):
        choices.append((f"month:{year:04d}-{month:02d}", f"{year:04d}-{month:02d}"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return choices


def _cards(figures):
    """Each chart with its heading and its figures in words (the SVG carries the same numbers)."""
    step_labels = {kind: str(label) for _state, kind, label in SEVEN_A_STEPS}
    types = active_customer_types()
    channel_labels = dict(Channel.choices)
    cards = []

    def card(key, title, svg, summary=""):
        cards.append({"key": key, "title": title, "svg": svg, "summary": summary})

    per_state = figures["open_per_state"]
    title = _("Open cases per state")
    card(
        "open-per-state",
        title,
        charts.hbar_chart([(CaseState(s).label, n) for s, n in per_state.items()], title=title),
        _("%(n)d open cases now") % {"n": sum(per_state.values())},
    )
    title = _("Open cases by the 7A step they wait for")
    card(
        "open-per-step",
        title,
        charts.hbar_chart([(step_labels[k], n) for k, n in figures["open_per_step"].items()], title=title),
        _("Assured cases wait only to be closed and are not shown."),
    )
    title = _("Median hours per 7A step")
    medians = figures["median_hours"]
    card(
        "median-hours",
        title,
        charts.hbar_chart([(step_labels[k], m["hours"]) for k, m in medians.items()], title=title, value_text=_hours),
        _("From the step becoming due to its record, over %(n)d steps completed in the period.")
        % {"n": sum(m["n"] for m in medians.values())},
    )
    fcr = figures["first_contact"]
    title = _("First-contact resolution")
    card(
        "first-contact",
        title,
        charts.hbar_chart(
            [
                (_("Agreed on the first contact's day"), fcr["resolved"]),
                (_("Took longer or reopened"), fcr["assured"] - fcr["resolved"]),
            ],
            title=title,
        ),
        _("%(rate)s of %(n)d cases assured in the period") % {"rate": _percent(fcr["rate"]), "n": fcr["assured"]},
    )
    promises = figures["promises"]
    title = _("Promises kept in time")
    card(
        "promises",
        title,
        charts.hbar_chart(
            [
                (_("Kept in time"), promises["kept"]),
                (_("Kept late"), promises["late"]),
                (_("Missed or moved by us"), promises["missed"]),
            ],
            title=title,
        ),
        _("%(rate)s of %(n)d promises due in the period")
        % {"rate": _percent(promises["rate"]), "n": promises["counted"]},
    )
    deadlines = figures["deadlines"]
    title = _("Deadline breaches")
    card(
        "deadlines",
        title,
        charts.hbar_chart([(DeadlineKind(k).label, v["breached"]) for k, v in deadlines["kinds"].items()], title=title),
        _("%(breached)d of %(n)d deadlines due in the period were breached (%(rate)s)")
        % {"breached": deadlines["breached"], "n": deadlines["counted"], "rate": _percent(deadlines["rate"])},
    )
    by_type = figures["escalation_types"]
    escalations = figures["escalation_channels"]
    title = _("Escalations by customer type")
    rows = [(t.name, by_type.get(code, 0)) for code, t in types.items()]
    rows += [(code, n) for code, n in by_type.items() if code not in types]
    rows.append((_("No customer type"), escalations["untyped"]))
    card(
        "escalation-types",
        title,
        charts.hbar_chart(rows, title=title),
        _("%(n)d escalations requested in the period") % {"n": escalations["total"]},
    )
    title = _("Escalations by channel")
    card(
        "escalation-channels",
        title,
        charts.hbar_chart(
            [(label, escalations["channels"].get(code, 0)) for code, label in channel_labels.items()], title=title
        ),
    )
    satisfaction = figures["satisfaction"]
    title = _("Customer satisfaction")
    card(
        "satisfaction",
        title,
        charts.histogram(
            [(str(score), n) for score, n in satisfaction["scores"].items()],
            title=title,
            caption=_("Score at Assure (1 = very unhappy, 5 = very satisfied)"),
        ),
        _("%(n)d scores, mean %(mean)s")
        % {"n": satisfaction["rated"], "mean": "—" if satisfaction["mean"] is None else f"{satisfaction['mean']:.1f}"},
    )
    reopen = figures["reopen"]
    title = _("Reopen rate")
    card(
        "reopen",
        title,
        charts.hbar_chart([(_("Closed"), reopen["closed"]), (_("Reopened"), reopen["reopened"])], title=title),
        _("%(rate)s: %(reopened)d reopened for %(closed)d closed in the period")
        % {"rate": _percent(reopen["rate"]), "reopened": reopen["reopened"], "closed": reopen["closed"]},
    )
    return cards


def _qa_card(rows):
    """The scorecards' mean per agent (audit/models.py), with how many scorecards make it."""
    scores = kpis.qa_score_per_agent((f"{name} ({n})", mean) for name, mean, n in rows)
    title = _("QA score per agent")
    if not scores:
        return {"key": "qa", "title": title, "svg": "", "summary": "", "empty": _("No quality scores yet")}
    svg = charts.hbar_chart(scores, title=title, max_value=100, value_text=lambda v: f"{v:.0f}")
    return {"key": "qa", "title": title, "svg": svg, "summary": ""}


@login_required
@require_safe
def dashboard_view(request):
    """Service KPIs for supervisors and auditors, per period and team. Reads only (GET/HEAD)."""
    if not can_read_audit(request.user):
        raise PermissionDenied
    now = timezone.now()
    query = dashboard_query_parse(request.GET, now=now)
    periods = _period_choices(now)
    if query.period and query.period.token not in dict(periods):  # a range, or an older month
        periods.append((query.period.token, query.period.token))
    context = {
        "nav": "audit",
        "periods": periods,
        "teams": [(user.pk, display_name(user)) for user in all_supervisors()],
        "period_value": request.GET.get("period", "") or "30d",
        "team_value": request.GET.get("team", ""),
        "errors": [(name, " ".join(str(m) for m in problems)) for name, problems in query.errors.items()],
        "cache_minutes": FIGURES_SECONDS // 60,
    }
    if query.errors:
        return render(request, "audit/dashboard.html", context, status=400)
    figures = dashboard_figures(query.period, query.team)
    context.update(
        cards=[*_cards(figures), _qa_card(figures.get("qa", []))],
        as_of=timezone.localtime(figures["as_of"]),
        start=timezone.localtime(figures["start"]),
        end=timezone.localtime(figures["end"]),
    )
    return render(request, "audit/dashboard.html", context)
