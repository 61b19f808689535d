"""Reading a queue request from its query string: one parser for the queue page and GET /api/cases/.

Strict on purpose: a value that is unknown or out of range is reported against the parameter that
carried it, never quietly replaced by something else (an unknown status used to list every case,
closed ones included). The API answers 400 naming the parameters; the page says what it could not
use and shows that parameter's default. Cursors are checked where they are decoded
(`core.pagination.keyset_page`), since only the sort knows their shape.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from core.inputs import text_problem

from .choices import CaseState, CustomerTier, Priority
from .selectors import (
    DEFAULT_SORT,
    MAX_PAGE_SIZE,
    PAGE_SIZES,
    PROMISE_FILTERS,
    SORTS,
    STATUS_ALL,
    STATUS_CLOSED,
    STATUS_OPEN,
    QueueFilters,
)

MSG_UNKNOWN_VALUE = _("Unknown value “%(value)s”; expected one of: %(choices)s.")
MSG_PAGE_SIZE = _("Between %(low)d and %(high)d.")
MSG_USER_ID = _("A user id is required: a whole number from 1.")

STATUSES = (STATUS_OPEN, STATUS_CLOSED, STATUS_ALL, *CaseState.values)
SCOPE_MINE, SCOPE_ALL = "mine", "all"
SCOPES = (SCOPE_MINE, SCOPE_ALL)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]
SEARCH_MAX_LENGTH = 100
# Long enough to recognise what was typed, short enough to keep a message readable.
ECHO_MAX_LENGTH = 40


@dataclass(frozen=True)
class QueueParams:
    """What each setting is called in a query string (the page and the API name some differently)
    and which page sizes it offers."""

    status: str
    size: str
    after: str
    before: str
    sizes: tuple | range
    scope: str | None = None  # the page's "my cases / all cases"; the API filters by owner instead


PAGE_PARAMS = QueueParams(status="status", size="size", after="after", before="before", sizes=PAGE_SIZES, scope="scope")
API_PARAMS = QueueParams(
    status="state", size="page_size", after="cursor", before="before", sizes=range(1, MAX_PAGE_SIZE + 1)
)


@dataclass
class QueueQuery:
    filters: QueueFilters
    size: int = DEFAULT_PAGE_SIZE
    after: str | None = None
    before: str | None = None
    scope: str | None = None  # None: not asked for (or rejected); the page picks it by role
    # parameter -> messages, for each value that could not be used (its default was used instead)
    errors: dict = field(default_factory=dict)


class _Rejected(ValueError):
    pass


def _one_of(raw: str, allowed) -> str:
    if raw not in allowed:
        choices = ", ".join(str(choice) for choice in allowed)
        raise _Rejected(MSG_UNKNOWN_VALUE % {"value": raw[:ECHO_MAX_LENGTH], "choices": choices})
    return raw


def _priority(raw: str) -> int:
    return int(_one_of(raw, [str(value) for value in Priority.values]))


def _owner(raw: str) -> int:
    try:
        owner_id = int(raw)
    except ValueError:
        raise _Rejected(MSG_USER_ID) from None
    if owner_id < 1:
        raise _Rejected(MSG_USER_ID)
    return owner_id


def _size(sizes):
    def parse(raw: str) -> int:
        if isinstance(sizes, range):
            try:
                size = int(raw)
            except ValueError:
                size = None
            if size not in sizes:
                raise _Rejected(MSG_PAGE_SIZE % {"low": sizes.start, "high": sizes.stop - 1})
            return size
        return int(_one_of(raw, [str(size) for size in sizes]))

    return parse


def _search(raw):
    problem = text_problem(raw)
    if problem is not None:
        raise _Rejected(problem)
    return raw


def queue_query_parse(query, params: QueueParams = API_PARAMS) -> QueueQuery:
    """The filters, page size and cursors in `query` (a QueryDict), with every rejected parameter
    in `errors` and its default in its place."""
    errors = {}

    def read(name, parse, default):
        raw = query.get(name) if name else None
        if raw in (None, ""):
            return default
        try:
            return parse(raw)
        except _Rejected as exc:
            errors[name] = [exc.args[0]]
            return default

    filters = QueueFilters(
        owner_id=read("owner", _owner, None),
        status=read(params.status, lambda raw: _one_of(raw, STATUSES), STATUS_OPEN),
        priority=read("priority", _priority, None),
        tier=read("tier", lambda raw: _one_of(raw, CustomerTier.values), None),
        q=read("q", _search, "")[:SEARCH_MAX_LENGTH],
        sort=read("sort", lambda raw: _one_of(raw, list(SORTS)), DEFAULT_SORT),
        promise=read("promise", lambda raw: _one_of(raw, PROMISE_FILTERS), None),
    )
    return QueueQuery(
        filters=filters,
        size=read(params.size, _size(params.sizes), DEFAULT_PAGE_SIZE),
        after=query.get(params.after) or None,
        before=query.get(params.before) or None,
        scope=read(params.scope, lambda raw: _one_of(raw, SCOPES), None),
        errors=errors,
    )
