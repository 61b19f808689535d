"""The auditors' search across cases, its pages and its exports.

Filters: the case's owner, the day it was opened (a range of local dates), its state, a customer
type it carries now, its channel, and whether it was ever escalated (any Escalation, open or ended:
`Case.escalation_status` only says whether one is open now). Newest first, in keyset pages over the
index `case_all_created`; a page is three queries whatever its size (rows, capped count, the page's
customer types). An export is one query, read in chunks, however many rows.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Aggregate, CharField, Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from core.pagination import COUNT_CAP, Page, Sort, count_capped, keyset_page
from escalation.models import CaseCustomerType, Escalation
from escalation.selectors import cases_tagged

NEWEST = Sort(("created_at", "id"), descending=True, label=_("Newest first"))
ESCALATED_YES, ESCALATED_NO = "yes", "no"
EXPORT_CHUNK = 2000

ROW_FIELDS = (
    "id",
    "number",
    "state",
    "channel",
    "customer_tier",
    "priority",
    "customer_name",
    "summary",
    "created_at",
    "accepted_at",
    "closed_at",
    "satisfaction",
    "reopen_count",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


@dataclass(frozen=True)
class AuditFilters:
    owner_id: int | None = None
    opened_from: dt.date | None = None  # local dates, both included
    opened_to: dt.date | None = None
    state: str | None = None
    customer_type: str | None = None  # a CustomerType code the case carries now
    channel: str | None = None
    escalated: str | None = None  # "yes" | "no"

    @property
    def any(self) -> bool:
        return any(getattr(self, name) is not None for name in self.__dataclass_fields__)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _ever_escalated():
    return Exists(Escalation.objects.filter(case_id=OuterRef("pk")))


def audit_case_queryset(filters: AuditFilters):
    qs = Case.objects.all()
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.opened_from:
        qs = qs.filter(created_at__gte=_local_midnight(filters.opened_from))
    if filters.opened_to:
        qs = qs.filter(created_at__lt=_local_midnight(filters.opened_to + dt.timedelta(days=1)))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.customer_type:
        qs = qs.filter(pk__in=cases_tagged(filters.customer_type))
    if filters.escalated == ESCALATED_YES:
        qs = qs.filter(_ever_escalated())
    elif filters.escalated == ESCALATED_NO:
        qs = qs.filter(~_ever_escalated())
    return qs


def audit_search(filters: AuditFilters, *, after=None, before=None, size=25) -> Page:
    """A page of matching cases, newest first, each with its owner, `escalated` and `types` (the
    customer types it carries now), and the count up to COUNT_CAP."""
    qs = audit_case_queryset(filters)
    rows = qs.select_related("owner").annotate(escalated=_ever_escalated())
    page = keyset_page(rows, NEWEST, after=after, before=before, size=size)
    page.count, page.count_capped = count_capped(qs, COUNT_CAP)
    by_case = {}
    if page.items:
        tags = (
            CaseCustomerType.objects.filter(case_id__in=[case.pk for case in page.items], removed_at__isnull=True)
            .select_related("customer_type")
            .order_by("tagged_at", "id")
        )
        for tag in tags:
            by_case.setdefault(tag.case_id, []).append(tag.customer_type)
    for case in page.items:
        case.types = by_case.get(case.pk, [])
    return page


class _Codes(Aggregate):
    """The codes of a case's customer types in one text ("billing_dispute,legal"): STRING_AGG on
    PostgreSQL, GROUP_CONCAT on SQLite (Django 5.2 has no portable string aggregate). It lets an
    export carry the types in its one query instead of one per chunk or per row."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def audit_export_rows(filters: AuditFilters):
    """Every matching case as a dict (ROW_FIELDS, `escalated`, `type_codes`), newest first, read in
    chunks of EXPORT_CHUNK rows (a server-side cursor on PostgreSQL): one query, constant memory."""
    codes = (
        CaseCustomerType.objects.filter(case_id=OuterRef("pk"), removed_at__isnull=True)
        .order_by()
        .values("case_id")
        .annotate(codes=_Codes("customer_type__code"))
        .values("codes")
    )
    qs = (
        audit_case_queryset(filters)
        .annotate(escalated=_ever_escalated(), type_codes=Subquery(codes, output_field=CharField()))
        .order_by(*NEWEST.order_by())
        .values(*ROW_FIELDS, "escalated", "type_codes")
    )
    return qs.iterator(chunk_size=EXPORT_CHUNK)
