from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.history import insert_later

from ..choices import CaseState, priority_for
from ..models import Case, CaseEventKind, CaseNumberCounter
from .events import case_event_record

CASE_NUMBER_FORMAT = "C-{year}-{value:06d}"


def case_number_next(year: int) -> str:
    """Next readable case number of the year. The counter row stays locked until the caller's
    transaction commits, so numbers are gapless and unique under concurrency."""
    table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        # The table name is our own constant, quoted; only the year is a parameter.
        cursor.execute(f"UPDATE {table} SET last_value = last_value + 1 WHERE year = %s RETURNING last_value", [year])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(year=year, last_value=1)
            value = 1
        except IntegrityError:  # another transaction created the year's row first
            return case_number_next(year)
    else:
        value = row[0]
    return CASE_NUMBER_FORMAT.format(year=year, value=value)


def case_open(
    *, actor, owner, summary, channel, customer_name, customer_phone, customer_tier, customer_language, payload=None
):
    """Open a case for a freshly logged complaint. Must run inside the intake transaction and its
    `write_batch()`, which writes the case, its history and its "logged" event together."""
    now = timezone.now()
    case = Case(
        number=case_number_next(timezone.localtime(now).year),
        owner=owner,
        summary=summary,
        channel=channel,
        customer_name=customer_name,
        customer_phone=customer_phone,
        customer_tier=customer_tier,
        customer_language=customer_language,
        priority=priority_for(customer_tier, channel),
        created_at=now,
        updated_at=now,
    )
    # Written with the step's batch (one round trip with the event and the complaint); its primary
    # key is set when the batch is written.
    insert_later(case, user=actor, at=now)
    case_event_record(
        case=case, kind=CaseEventKind.LOGGED, actor=actor, to_state=CaseState.NEW, payload=payload or {}, at=now
    )
    return case
