import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.utils import timezone

from cases.business_calendar import add_business_hours
from cases.choices import OPEN_PROMISE_STATES, OPEN_STATES, CaseState, priority_for
from cases.events import event_kind
from cases.models import Case, CaseEvent, CaseNumberCounter, DeadlinePolicy
from cases.services import case_transition
from cases.services.creation import case_build
from complaints.models import Complaint, Customer
from complaints.services import complaint_log
from tests.factories import evidence, intake_data

pytestmark = pytest.mark.django_db

MAIN_AND_ENDINGS = (
    "accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure", "close", "withdraw",
    "reject",
)  # fmt: skip
NUMBER_RE = re.compile(r"^C-(\d{4})-(\d{6,})$")


def seed(n, **options):
    out = StringIO()
    call_command("seed_cases", cases=n, stdout=out, **options)
    return out.getvalue()


def test_seed_creates_cases_in_every_state_with_complaint_event_and_history():
    output = seed(60)

    assert "Seeded 60 cases" in output
    assert "rows/s" in output
    cases = list(Case.objects.all())
    assert len(cases) == 60
    assert {c.state for c in cases} == set(CaseState.values)
    for case in cases:
        assert case.is_open == (case.state in OPEN_STATES)
        assert case.priority == priority_for(case.customer_tier, case.channel)
        assert case.owner.username.startswith("agent_seed_")
        assert case.owner.groups.filter(name="agent").exists()
        assert case.created_at <= case.updated_at <= timezone.now()

    # every case has its complaint, its "logged" event and its "+" history row (by the owner, at creation)
    assert not Case.objects.filter(complaints__isnull=True).exists()
    assert Complaint.objects.count() == 60
    logged = CaseEvent.objects.filter(kind="logged")
    assert logged.count() == 60
    assert set(logged.values_list("case_id", flat=True)) == {c.pk for c in cases}
    history = Case.history.model.objects.filter(history_type="+")
    assert history.count() == 60
    for record in history.select_related("history_user"):
        case = next(c for c in cases if c.pk == record.id)
        assert record.history_user_id == case.owner_id
        assert record.history_date == case.created_at
        assert record.state == CaseState.NEW

    # the latest history row of each case is the case as it is now; the last event reached its state
    for case in cases:
        assert case.history.latest().state == case.state
        last = case.events.order_by("created_at", "id").last()
        assert last.to_state == case.state
        assert list(case.events.order_by("id").values_list("created_at", flat=True)) == sorted(
            case.events.values_list("created_at", flat=True)
        )
    assert Complaint.history.model.objects.filter(history_type="+").count() == 60
    assert Customer.history.model.objects.filter(history_type="+").count() == Customer.objects.count()

    # about one customer per three cases, both languages; evidence past Analyze
    assert 15 <= Customer.objects.count() <= 25
    assert {c.customer_language for c in cases} == {"zh-hans", "en"}
    for case in cases:
        if case.state in ("analyzed", "agreed", "assured", "closed"):
            assert case.accepted_at and case.customer_words and case.analyzed_at
            assert case.category_id and case.responsible_unit_id and case.facts["what"]
        if case.state == CaseState.CLOSED:
            assert case.closed_at and case.assured_at and case.satisfaction
    rejecters = CaseEvent.objects.filter(kind="reject").values_list("actor__groups__name", flat=True)
    assert set(rejecters) == {"supervisor"}


def test_numbers_are_unique_and_intake_continues_after_them():
    seed(60)
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 60
    per_year = {}
    for number in numbers:
        year, value = NUMBER_RE.match(number).groups()
        per_year.setdefault(int(year), []).append(int(value))
    for year, values in per_year.items():
        assert CaseNumberCounter.objects.get(year=year).last_value == max(values) == len(values)

    # a top-up run continues the counters too
    seed(15, seed=2)
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 75

    agent = get_user_model().objects.get(username="agent_seed_1")
    complaint, created = complaint_log(actor=agent, data=intake_data(customer_phone="+15550000001"))
    assert created
    assert complaint.case.number not in numbers
    year = timezone.localtime(complaint.case.created_at).year
    assert int(NUMBER_RE.match(complaint.case.number).group(2)) == CaseNumberCounter.objects.get(year=year).last_value


def test_seeded_cases_work_with_the_services():
    seed(60)
    # a seeded "new" case moves on through the real service, with its event and history
    case = Case.objects.filter(state=CaseState.NEW).first()
    case_transition(case=case, name="accept", actor=case.owner, data=evidence("accept", case))
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.history.count() == 2
    # intake by the phone of a seeded customer reuses that customer
    customer = Customer.objects.annotate(n=Count("complaints")).order_by("-n").first()
    complaint, created = complaint_log(
        actor=case.owner, data=intake_data(customer_phone=customer.phone, customer_name=customer.name)
    )
    assert not created
    assert complaint.customer_id == customer.pk


def _as_intake_builds_it(case):
    """What case_build gives for this case's own complaint and customer."""
    (complaint,) = case.complaints.all()
    customer = complaint.customer
    return case_build(
        number=case.number,
        owner=case.owner,
        summary=complaint.summary,
        channel=complaint.channel,
        customer_name=customer.name,
        customer_phone=customer.phone,
        customer_tier=customer.tier,
        customer_language=customer.preferred_language,
        at=complaint.logged_at,
    )


def _values(instance, names):
    return {name: getattr(instance, name) for name in names}


def test_a_seeded_case_as_logged_is_what_case_build_gives():
    seed(60)
    fields = [f.attname for f in Case._meta.concrete_fields if not f.primary_key]
    tracked = [name for name in fields if name != "updated_at"]  # the history does not keep it
    cases = Case.objects.select_related("owner").prefetch_related("complaints__customer")
    assert cases.filter(state=CaseState.NEW).exists()
    for case in cases:
        built = _as_intake_builds_it(case)
        # The "+" history row is the case as logged, whatever happened to it afterwards.
        logged = case.history.get(history_type="+")
        assert _values(logged, tracked) == _values(built, tracked), case.number
        if case.state == CaseState.NEW:
            assert _values(case, fields) == _values(built, fields), case.number


# Payload keys that repeat a field of the case: the event must say what the case row says.
MIRRORED = {
    "logged": ("channel",),
    "accept": ("first_contact_at", "customer_words"),
    "apologize": ("apology_text",),
    "acknowledge": ("restated_problem", "emotional_needs"),
    "analyze": ("facts", "root_cause", "desired_outcome"),
    "agree": ("customer_confirmed",),
    "assure": ("follow_up_done", "satisfaction", "thanked", "follow_up_note"),
    "close": ("closing_note",),
}


def _as_json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def test_every_seeded_event_payload_is_its_kinds_shape_with_the_cases_values():
    seed(60)
    first_case_of = {}
    for case_id, customer_id in Complaint.objects.order_by("case_id").values_list("case_id", "customer_id"):
        first_case_of.setdefault(customer_id, case_id)
    new_customer_cases = set(first_case_of.values())
    events = CaseEvent.objects.select_related("case")
    assert {event.kind for event in events} == {"logged", *MAIN_AND_ENDINGS}
    for event in events:
        kind = event_kind(event.kind)
        assert kind is not None, event.kind
        assert set(event.payload) == set(kind.payload_keys), event.kind
        case = event.case
        for key in MIRRORED.get(event.kind, ()):
            assert event.payload[key] == _as_json(getattr(case, key)), (event.kind, key)
        if event.kind == "logged":
            assert event.payload["customer_new"] == (case.pk in new_customer_cases)
        elif event.kind == "analyze":
            assert event.payload["category"]["id"] == case.category_id
            assert event.payload["responsible_unit"]["id"] == case.responsible_unit_id
        elif event.kind == "agree":
            follow_up = case.promises.get(kind="follow_up")
            assert _as_json(follow_up.due_at) == event.payload["next_callback_at"]


def test_every_agreed_case_has_its_promises_in_a_state_its_case_explains():
    seed(80)
    now = timezone.now()
    agreed = Case.objects.filter(agreed_at__isnull=False).prefetch_related("promises")
    assert agreed.exists()
    for case in agreed:
        promises = list(case.promises.all())
        assert sorted(p.kind for p in promises) == ["commitment", "follow_up"], case.number
        states = {p.state for p in promises}
        if case.assured_at:
            assert states == {"kept"}, case.number
        elif not case.is_open:
            assert states == {"cancelled"}, case.number
        else:
            for p in promises:
                late = p.due_at + timedelta(minutes=settings.PROMISE_GRACE_MINUTES) < now
                assert p.state == ("missed" if late else "scheduled"), case.number
        still_owed = [p.due_at for p in promises if p.state in OPEN_PROMISE_STATES]
        assert case.next_callback_at == min(still_owed, default=None), case.number
        for p in promises:  # made, then (unless still scheduled) ended: history.latest() is the row
            types = list(p.history.order_by("history_id").values_list("history_type", flat=True))
            assert types == (["+"] if p.state == "scheduled" else ["+", "~"]), case.number
            assert p.history.latest().state == p.state


def test_every_seeded_case_has_the_deadlines_intake_and_its_steps_would_give_it():
    seed(80)
    now = timezone.now()
    cases = Case.objects.prefetch_related("deadlines")
    for case in cases:
        deadlines = {d.kind: d for d in case.deadlines.all()}
        assert sorted(deadlines) == ["first_response", "resolution"], case.number
        first, resolution = deadlines["first_response"], deadlines["resolution"]
        hours = DeadlinePolicy.objects.get(customer_tier=case.customer_tier, channel=case.channel)
        assert (first.allowed_hours, resolution.allowed_hours) == (hours.first_response_hours, hours.resolution_hours)
        assert first.started_at == resolution.started_at == case.created_at, case.number
        assert first.due_at == add_business_hours(case.created_at, first.allowed_hours), case.number
        assert first.met_at == case.accepted_at and resolution.met_at == case.assured_at, case.number
        ended = case.state in ("withdrawn", "rejected")
        for d in (first, resolution):
            assert (d.ended_at is not None) == (ended and d.met_at is None), case.number
            stop = d.met_at or d.ended_at or now
            assert (d.breached_at is not None) == (d.due_at < stop), case.number
            assert d.history.latest().breached_at == d.breached_at
        live = [d.due_at for d in (first, resolution) if d.is_live]
        assert case.deadline_at == min(live, default=None), case.number
