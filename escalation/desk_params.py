"""Reading the desk queue's query string, for the page and GET /api/escalations/ alike.

Strict like the case queue (cases/queue_params.py): an unknown value is reported against its
parameter (400 in the API, a message on the page, where that parameter's default is used)."""

from dataclasses import dataclass, field

from cases.choices import Channel
from cases.queue_params import ECHO_MAX_LENGTH, MSG_PAGE_SIZE, MSG_UNKNOWN_VALUE
from cases.selectors import MAX_PAGE_SIZE

from .choices import OPEN_ESCALATION_STATES, EscalationLevel
from .selectors import DESK_SORTS, DeskFilters
from .services import active_customer_types

DEFAULT_PAGE_SIZE = 25


@dataclass
class DeskQuery:
    filters: DeskFilters
    sort: str = "urgency"
    size: int = DEFAULT_PAGE_SIZE
    after: str | None = None
    before: str | None = None
    errors: dict = field(default_factory=dict)  # parameter -> messages


def desk_query_parse(query, *, cursor_param="after") -> DeskQuery:
    errors = {}

    def read(name, allowed, default):
        raw = query.get(name)
        if raw in (None, ""):
            return default
        allowed = [str(value) for value in allowed]
        if raw not in allowed:
            errors[name] = [MSG_UNKNOWN_VALUE % {"value": raw[:ECHO_MAX_LENGTH], "choices": ", ".join(allowed)}]
            return default
        return raw

    level = read("level", EscalationLevel.values, None)
    size = read("page_size", range(1, MAX_PAGE_SIZE + 1), DEFAULT_PAGE_SIZE)
    if "page_size" in errors:
        errors["page_size"] = [MSG_PAGE_SIZE % {"low": 1, "high": MAX_PAGE_SIZE}]
    filters = DeskFilters(
        level=int(level) if level else None,
        state=read("state", OPEN_ESCALATION_STATES, None),
        customer_type=read("type", active_customer_types(), None),
        channel=read("channel", Channel.values, None),
    )
    return DeskQuery(
        filters=filters,
        sort=read("sort", DESK_SORTS, "urgency"),
        size=int(size),
        after=query.get(cursor_param) or None,
        before=query.get("before") or None,
        errors=errors,
    )
