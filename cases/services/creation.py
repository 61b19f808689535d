from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.history import save_tracked

from ..choices import priority_for
from ..models import Case, CaseNumberCounter
from .deadlines import deadlines_build, earliest_due

CASE_NUMBER_FORMAT = "C-{year}-{value:06d}"


def case_number_next(year: int) -> str:
    """Next readable case number of the year. The counter row stays locked until the caller's
    transaction commits, so numbers are gapless and unique under concurrency.

    Raw SQL because the ORM cannot say "increment and read back" in one statement: UPDATE …
    RETURNING (PostgreSQL, and SQLite ≥ 3.35) takes the row lock and the new value in one round
    trip; tests run it on both databases (tests/cases/test_case_numbers.py)."""
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


def case_build(
    *, number, owner, summary, channel, customer_name, customer_phone, customer_tier, customer_language, at
) -> Case:
    """A new case (unsaved) for a complaint: the one definition of what a case takes from its
    complaint and customer — a snapshot of who complained and how, and the priority that follows
    from the customer's tier and the channel, and when its first deadline falls. Intake, the demo
    loader and the benchmarks use it."""
    case = Case(
        number=number,
        owner=owner,
        summary=summary,
        channel=channel,
        customer_name=customer_name,
        customer_phone=customer_phone,
        customer_tier=customer_tier,
        customer_language=customer_language,
        priority=priority_for(customer_tier, channel),
        created_at=at,
        updated_at=at,
    )
    case.deadline_at = earliest_due(deadlines_build(case))
    return case


def case_open(*, actor, at=None, **complaint_snapshot) -> Case:
    """Open and save a case for a complaint being logged (the intake transaction's first case row).

    The caller writes the complaint next, then the "logged" event (cases.events.LOGGED), so that
    receivers of `case_event_recorded` see the case with its complaint."""
    at = at or timezone.now()
    case = case_build(number=case_number_next(timezone.localtime(at).year), at=at, **complaint_snapshot)
    save_tracked(case, *deadlines_build(case), user=actor, at=at)
    return case
