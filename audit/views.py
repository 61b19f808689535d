"""The auditors' pages: read-only (GET), for auditors and supervisors (audit/access.py).

A query string that cannot be used in full is refused with 400 and a message naming each parameter
(audit/params.py): an auditor must never read a list or an export that silently left a filter out.
"""

import functools
import math

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.people import display_name, people_with_role
from accounts.roles import Role
from cases.choices import CaseState, Channel, CustomerTier
from core.display import local_stamp
from core.errors import InvalidInput
from escalation.services import active_customer_types

from .access import can_read_audit
from .exports import ExportRows, csv_chunks, xlsx_file
from .params import PAGE_SIZES, SEARCH_PARAMS, search_query_parse, timeline_query_parse
from .search import ESCALATED_NO, ESCALATED_YES, audit_search
from .timeline import GROUPS, case_for_timeline, case_timeline

TIMELINE_PAGE_SIZE = 100
MSG_EXPORT_PARAMS = gettext_lazy("An export takes only the search's filters: %(names)s.")


def audit_reader(view):
    """Signed in, an auditor or a supervisor (403 otherwise), and only ever reading (405 otherwise)."""

    @login_required
    @require_GET
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_read_audit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _problems(errors) -> list:
    return [f"{name}: {' '.join(str(message) for message in messages)}" for name, messages in errors.items()]


@audit_reader
def workspace_view(request):
    return render(request, "audit/workspace.html", {"nav": "audit"})


# --- one case's timeline ----------------------------------------------------------------------------


@audit_reader
def timeline_view(request, number):
    case = case_for_timeline(number)
    if case is None:
        raise Http404
    query = timeline_query_parse(request.GET)
    context = {
        "case": case,
        "owner": display_name(case.owner),
        "groups": list(GROUPS.items()),
        "selected": query.groups,
        "nav": "audit",
        "search_url": reverse("audit:search"),
    }
    if query.errors:
        return render(request, "audit/timeline.html", {**context, "problems": _problems(query.errors)}, status=400)
    start = (query.page - 1) * TIMELINE_PAGE_SIZE
    timeline = case_timeline(case, groups=set(query.groups), start=start, stop=start + TIMELINE_PAGE_SIZE)
    pages = max(1, math.ceil(timeline.total / TIMELINE_PAGE_SIZE))
    if query.page > pages:
        problems = _problems({"page": [_("There are %(n)d pages.") % {"n": pages}]})
        return render(request, "audit/timeline.html", {**context, "problems": problems}, status=400)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audit/timeline.html",
        {
            **context,
            "entries": timeline.entries,
            "total": timeline.total,
            "counts": [(code, label, timeline.counts[code]) for code, label in GROUPS.items()],
            "page": query.page,
            "pages": pages,
            "base_query": params.urlencode(),
            "zone": timezone.get_current_timezone_name(),
        },
    )


# --- the search and its exports ---------------------------------------------------------------------


def _case_workers() -> list:
    """Everyone who may own a case, for the search's select (cached lists: no query per request)."""
    people = {}
    for role in (Role.AGENT, Role.ESCALATION_DESK, Role.SUPERVISOR):
        for user in people_with_role(role):
            people[user.pk] = display_name(user)
    return sorted(people.items(), key=lambda item: item[1])


def _label_rows(cases):
    """Each row's texts worked out once (as the desk does), not per row in the template."""
    labels = {
        "state": dict(CaseState.choices),
        "channel": dict(Channel.choices),
        "tier": dict(CustomerTier.choices),
    }
    yes, no = _("Yes"), _("No")
    for case in cases:
        case.state_label = labels["state"].get(case.state, case.state)
        case.channel_label = labels["channel"].get(case.channel, case.channel)
        case.tier_label = labels["tier"].get(case.customer_tier, case.customer_tier)
        case.owner_name = display_name(case.owner)
        case.escalated_label = yes if case.escalated else no
        case.timeline_url = reverse("audit:timeline", args=[case.number])
        case.case_url = reverse("cases:detail", args=[case.number])
        case.opened_iso, case.opened_text = local_stamp(case.created_at)
        case.closed_text = local_stamp(case.closed_at)[1] if case.closed_at else "—"


def _filter_query(request) -> str:
    """The search's filters alone (no cursor, no page size): the exports take the same."""
    params = request.GET.copy()
    for key in list(params):
        if key not in SEARCH_PARAMS:
            params.pop(key)
    return params.urlencode()


@audit_reader
def search_view(request):
    types = active_customer_types()
    query = search_query_parse(request.GET, list(types))
    filters_only = _filter_query(request)
    context = {
        "filters": query.filters,
        "raw": request.GET,
        "agents": _case_workers(),
        "states": CaseState.choices,
        "channels": Channel.choices,
        "types": list(types.values()),
        "escalated_choices": [(ESCALATED_YES, _("Escalated")), (ESCALATED_NO, _("Never escalated"))],
        "sizes": PAGE_SIZES,
        "size": query.size,
        "nav": "audit",
        "csv_url": f"{reverse('audit:export_csv')}?{filters_only}",
        "xlsx_url": f"{reverse('audit:export_xlsx')}?{filters_only}",
        "zone": timezone.get_current_timezone_name(),
    }
    if query.errors:
        return render(request, "audit/search.html", {**context, "problems": _problems(query.errors)}, status=400)
    try:
        page = audit_search(query.filters, after=query.after, before=query.before, size=query.size)
    except InvalidInput as exc:
        problems = _problems({"after" if query.after else "before": [exc.message]})
        return render(request, "audit/search.html", {**context, "problems": problems}, status=400)
    _label_rows(page.items)
    params = request.GET.copy()
    for key in ("after", "before"):
        params.pop(key, None)
    return render(request, "audit/search.html", {**context, "page": page, "base_query": params.urlencode()})


def _export_rows(request):
    types = active_customer_types()
    query = search_query_parse(request.GET, list(types))
    errors = {name: messages for name, messages in query.errors.items() if name in SEARCH_PARAMS}
    for name in request.GET:
        if name not in SEARCH_PARAMS:
            errors[name] = [MSG_EXPORT_PARAMS % {"names": ", ".join(SEARCH_PARAMS)}]
    if errors:
        return None, HttpResponseBadRequest("\n".join(_problems(errors)), content_type="text/plain; charset=utf-8")
    return ExportRows(query.filters, types), None


def _file_name(extension) -> str:
    return f"cases-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


@audit_reader
def export_csv_view(request):
    rows, refused = _export_rows(request)
    if refused:
        return refused
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name("csv")}"'
    return response


@audit_reader
def export_xlsx_view(request):
    rows, refused = _export_rows(request)
    if refused:
        return refused
    return FileResponse(
        xlsx_file(rows, _("Cases")),
        as_attachment=True,
        filename=_file_name("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
