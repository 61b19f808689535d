"""Keyset pagination: every page costs the same, first or ten-thousandth.

OFFSET makes deep pages scan everything before them, and COUNT(*) over a million rows is a table
scan, so queues page by a cursor (the sort key of the last row seen, compared as a row value so the
database walks one index) and count only up to a cap ("10,000+").
"""

import base64
import binascii
import json
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from core.inputs import range_problem, text_problem

COUNT_CAP = 10_000
MSG_BAD_CURSOR = _("This page link is no longer valid; start from the first page.")


@dataclass(frozen=True)
class Sort:
    fields: tuple  # all compared in one direction; the last is the primary key (a total order)
    descending: bool
    label: str
    # (name, expression) for each field that is computed per row rather than stored: a nullable
    # column sorts through a Coalesce, since a row value holding NULL compares as unknown.
    computed: tuple = ()

    def annotate(self, queryset):
        return queryset.annotate(**dict(self.computed)) if self.computed else queryset

    def field(self, model, name):
        computed = dict(self.computed)
        return computed[name].output_field if name in computed else model._meta.get_field(name)

    def order_by(self, reverse=False):
        descending = self.descending != reverse
        return [f"-{name}" if descending else name for name in self.fields]


@dataclass
class Page:
    items: list
    next_cursor: str | None = None
    prev_cursor: str | None = None
    count: int = 0
    count_capped: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def has_next(self):
        return self.next_cursor is not None

    @property
    def has_prev(self):
        return self.prev_cursor is not None


def _encode(values) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(model, sort: Sort, cursor: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(sort.fields):
            raise ValueError
        decoded = [sort.field(model, name).to_python(v) for name, v in zip(sort.fields, values, strict=True)]
        if not all(map(_storable, decoded)):
            raise ValueError
        return decoded
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError, ValidationError) as exc:
        raise InvalidInput(MSG_BAD_CURSOR, fields={"cursor": [MSG_BAD_CURSOR]}) from exc


def _storable(value) -> bool:
    """A cursor is made by us, but comes back from the client: a value the database cannot compare
    (a huge or non-finite number, text with NUL, a date outside the window) is a bad cursor."""
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return text_problem(value) is None
    return range_problem(value) is None


def _key(item, sort):
    return [getattr(item, "pk" if name == "id" else name) for name in sort.fields]


def keyset_page(queryset, sort: Sort, *, after: str | None = None, before: str | None = None, size: int = 25) -> Page:
    """One page after `after` (or before `before`), plus cursors to the neighbouring pages."""
    model = queryset.model
    key = Tuple(*[F(name) for name in sort.fields])
    backwards = bool(before) and not after
    cursor = before if backwards else after
    qs = sort.annotate(queryset)
    if cursor:
        values = _decode(model, sort, cursor)
        forward_is_greater = not sort.descending
        greater = forward_is_greater != backwards
        qs = qs.filter((TupleGreaterThan if greater else TupleLessThan)(key, values))
        # The same bound on the leading column alone, implied by the row comparison: where the sort
        # reads another table's index (the desk's deadline order walks the cases' index but compares
        # the escalation's case_id), PostgreSQL can start the index scan only from a plain column bound.
        qs = qs.filter(**{f"{sort.fields[0]}__{'gte' if greater else 'lte'}": values[0]})
    rows = list(qs.order_by(*sort.order_by(reverse=backwards))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    page = Page(items=rows)
    if rows:
        has_next = True if backwards else more
        has_prev = more if backwards else bool(cursor)
        page.next_cursor = _encode(_key(rows[-1], sort)) if has_next else None
        page.prev_cursor = _encode(_key(rows[0], sort)) if has_prev else None
    elif backwards:
        page.next_cursor = cursor
    return page


def count_capped(queryset, cap: int = COUNT_CAP, *, sort: Sort | None = None) -> tuple[int, bool]:
    """Exact count up to `cap`; beyond it, (cap, True). One bounded query.

    With `sort`, the rows counted are the first `cap + 1` in the page's own order, so PostgreSQL may
    count along the index the page reads and stop at the cap; without it, in whatever order is
    cheapest to find them all (which, for a common word, means building a bitmap of every match)."""
    queryset = sort.annotate(queryset).order_by(*sort.order_by()) if sort is not None else queryset.order_by()
    n = queryset.values("pk")[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def page_envelope(request, page: Page, list_url: str, results) -> dict:
    """An API list's answer: the (capped) count, absolute links to the pages either side — the
    request's own query with the cursor replaced — and the serialized `results`."""

    def link(key, cursor):
        if not cursor:
            return None
        query = request.query_params.copy()
        query.pop("cursor", None)
        query.pop("before", None)
        query[key] = cursor
        return request.build_absolute_uri(f"{list_url}?{query.urlencode()}")

    return {
        "count": page.count,
        "count_is_capped": page.count_capped,
        "next": link("cursor", page.next_cursor),
        "previous": link("before", page.prev_cursor),
        "results": results,
    }
