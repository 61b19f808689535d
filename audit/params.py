"""Reading the audit pages' query strings, strictly (as cases/queue_params.py): a value that is
unknown, malformed or out of range is reported against its parameter and the request is refused
(400), never quietly replaced or ignored: an auditor's export must be of what was asked for."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseState, Channel
from cases.queue_params import ECHO_MAX_LENGTH, MSG_UNKNOWN_VALUE, MSG_USER_ID
from core.inputs import range_problem, text_problem

from .search import ESCALATED_NO, ESCALATED_YES, AuditFilters
from .timeline import GROUPS

MSG_DATE = _("Enter a date as YYYY-MM-DD.")
MSG_RANGE_REVERSED = _("The range ends before it starts: “to” must be on or after “from”.")
MSG_NO_USER = _("No user has the id %(value)s.")
MSG_PAGE_NUMBER = _("A page number is required: a whole number from 1.")
MSG_ONE_VALUE = _("Give this parameter once.")

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]
SEARCH_PARAMS = ("agent", "from", "to", "state", "type", "channel", "escalated")


class _Rejected(ValueError):
    pass


def _one_of(raw, allowed):
    allowed = [str(value) for value in allowed]
    if raw not in allowed:
        raise _Rejected(MSG_UNKNOWN_VALUE % {"value": raw[:ECHO_MAX_LENGTH], "choices": ", ".join(allowed)})
    return raw


def _date(raw):
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise _Rejected(MSG_DATE) from None
    if len(raw) != len("2026-01-31"):  # fromisoformat also takes "20260131" and week dates
        raise _Rejected(MSG_DATE)
    problem = range_problem(day)
    if problem is not None:
        raise _Rejected(problem)
    return day


def _user_id(raw):
    try:
        user_id = int(raw)
    except ValueError:
        raise _Rejected(MSG_USER_ID) from None
    if not 1 <= user_id < 2**31:
        raise _Rejected(MSG_USER_ID)
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise _Rejected(MSG_NO_USER % {"value": user_id})
    return user_id


class _Reader:
    def __init__(self, query):
        self.query = query
        self.errors = {}  # parameter -> [messages]

    def __call__(self, name, parse, default=None):
        values = self.query.getlist(name) if hasattr(self.query, "getlist") else [self.query.get(name)]
        values = [value for value in values if value not in (None, "")]
        if not values:
            return default
        if len(values) > 1:
            self.errors[name] = [MSG_ONE_VALUE]
            return default
        problem = text_problem(values[0])
        if problem is not None:
            self.errors[name] = [problem]
            return default
        try:
            return parse(values[0])
        except _Rejected as exc:
            self.errors[name] = [exc.args[0]]
            return default


@dataclass
class SearchQuery:
    filters: AuditFilters
    size: int = DEFAULT_PAGE_SIZE
    after: str | None = None
    before: str | None = None
    errors: dict = field(default_factory=dict)


def search_query_parse(query, customer_types) -> SearchQuery:
    """The search's filters, page size and cursors; `customer_types`: the codes a `type` may name."""
    read = _Reader(query)
    filters = AuditFilters(
        owner_id=read("agent", _user_id),
        opened_from=read("from", _date),
        opened_to=read("to", _date),
        state=read("state", lambda raw: _one_of(raw, CaseState.values)),
        customer_type=read("type", lambda raw: _one_of(raw, customer_types)),
        channel=read("channel", lambda raw: _one_of(raw, Channel.values)),
        escalated=read("escalated", lambda raw: _one_of(raw, (ESCALATED_YES, ESCALATED_NO))),
    )
    if filters.opened_from and filters.opened_to and filters.opened_to < filters.opened_from:
        read.errors["to"] = [MSG_RANGE_REVERSED]
    size = read("size", lambda raw: int(_one_of(raw, PAGE_SIZES)), DEFAULT_PAGE_SIZE)
    return SearchQuery(
        filters=filters,
        size=size,
        after=read("after", str),
        before=read("before", str),
        errors=read.errors,
    )


@dataclass
class TimelineQuery:
    groups: tuple = ()  # kind groups asked for; empty: all
    page: int = 1
    errors: dict = field(default_factory=dict)


def _page_number(raw):
    try:
        number = int(raw)
    except ValueError:
        raise _Rejected(MSG_PAGE_NUMBER) from None
    if not 1 <= number < 2**31:
        raise _Rejected(MSG_PAGE_NUMBER)
    return number


def timeline_query_parse(query) -> TimelineQuery:
    """`kind` may be given several times (`?kind=letters&kind=approvals`); each must be a group."""
    read = _Reader(query)
    groups = []
    for raw in query.getlist("kind"):
        if raw == "":
            continue
        try:
            if text_problem(raw) is not None:
                raise _Rejected(text_problem(raw))
            groups.append(_one_of(raw, GROUPS))
        except _Rejected as exc:
            read.errors.setdefault("kind", []).append(exc.args[0])
    return TimelineQuery(groups=tuple(dict.fromkeys(groups)), page=read("page", _page_number, 1), errors=read.errors)
