"""The rows of one batch, generated in Python.

What it generates is what the services would have written, and satisfies the same invariants:
- every case has its Customer (about one customer per three cases, reused within a batch), its
  Complaint, and a CaseEvent per step it took: "logged", then one event per transition on its
  path (accept … close, or withdraw/reject from wherever it stopped), actor = the owner (a
  supervisor for "reject", which only supervisors may do), times increasing and never in the
  future; each payload is built by its kind's builder (payloads.py);
- the case as logged is what intake would open: `case_build` gives it (its snapshot of the
  customer's name, phone, tier and language, `priority_for(tier, channel)`, every default), and the
  row is read off that instance; phones are unique per customer so intake's lookup by phone finds
  the right one;
- state, is_open and the evidence fields agree: a case past a step has that step's evidence and
  time (accepted_at, customer_words, … analyze's facts, category and responsible unit …), a
  closed/withdrawn/rejected case has closed_at and is_open=False (the CHECK constraint holds);
- django-simple-history rows exist for each Customer, Complaint and Case: history_type "+",
  history_user = the owner, history_date = the creation time. The "+" row of a case is the case as
  logged (state "new"); a case that moved on also gets one "~" row with its current values at the
  time of its last transition, so `history.latest()` equals the row. (The intermediate steps'
  field-level snapshots are collapsed into that one "~" row; the event timeline has every step.)
  Options (CaseOption) are not generated: a seeded agreed case has customer_confirmed but no
  chosen_option row;
- a case that passed Agreement has its two promises, as the Agreement step makes them: the follow-up
  call and one commitment, kept by the owner. Assured or closed: both kept (done at Assure). Ended
  otherwise: cancelled. Still agreed: scheduled, or missed once their grace period is over (what the
  sweep would have done). `next_callback_at` is the earliest open promise. Each promise has a "+"
  history row as made and a "~" row as it ended;
- every case has the two deadlines intake gives it (`deadlines_build`, from the tier and channel's
  policy in business hours): met at Accept and Assure, ended at a withdrawal or rejection, warned
  and breached where the sweep would have been by now (at the warning and due times); the case's
  `deadline_at` is the earliest live one. Each has a "+" history row as started and a "~" row at
  its last change. (The sweep's own events — promise missed, deadline breached — are not generated.)

The first eleven cases spread over the run are forced to one state each, so every state appears
even for a small N.
"""

import json
import random
from datetime import timedelta
from decimal import Decimal
from operator import attrgetter, itemgetter

from django.conf import settings
from django.db import models
from django.utils import translation

from cases import events as case_events
from cases.audit_chain import event_digest
from cases.choices import CaseState, DeadlineKind, EmotionalNeed, Language, PromiseKind, PromiseState
from cases.events import STEP_EVENT_KINDS
from cases.services.creation import case_build
from cases.services.deadlines import deadlines_build
from cases.services.transitions import MSG_FOLLOW_UP
from complaints.models import DemandReasonable
from core.history import system_user
from seeding.sample_evidence import TEXT

from .mix import CHANNELS, TARGET, TIERS, ZH_SHARE, Picker, path_to, state_for_age, step_times
from .payloads import EventPayloads
from .texts import END_REASON, RESOLUTIONS, SUMMARIES, WITHDRAWAL_WORDS, person_name, phone_number
from .writer import (
    CASE_FIELDS,
    DEADLINE_COLUMNS,
    HCASE_COLUMNS,
    HDEADLINE_COLUMNS,
    HISTORY_COLUMNS,
    HPROMISE_COLUMNS,
    PROMISE_COLUMNS,
    TABLE_NAMES,
)

ALL_STATES = tuple(CaseState)
# Where each column sits in a case row.
C = {field.column: i for i, field in enumerate(CASE_FIELDS)}
_CASE_VALUES = attrgetter(*(field.attname for field in CASE_FIELDS))
# JSON columns, with the encoder their field would use (rows carry JSON as text).
_CASE_JSON = [
    (i, (field.encoder or json.JSONEncoder)(ensure_ascii=False).encode)
    for i, field in enumerate(CASE_FIELDS)
    if isinstance(field, models.JSONField)
]
# Plain strings: an enum member's .value is a property lookup, and this runs for every event.
_NEW = CaseState.NEW.value
_TARGET = {step: state.value for step, state in TARGET.items()}
# A case's history row: the tracked columns of the case row, then the history columns.
_CASE_TRACKED = itemgetter(*(C[column] for column in HCASE_COLUMNS[: -len(HISTORY_COLUMNS)]))
# Where each column sits in a promise row, and the history row's tracked columns.
P = {column: i for i, column in enumerate(PROMISE_COLUMNS)}
_PROMISE_TRACKED = itemgetter(*(P[column] for column in HPROMISE_COLUMNS[: -len(HISTORY_COLUMNS)]))
_AS_MADE = {P[c]: None for c in ("done_at", "reached", "missed_at")} | {P["outcome"]: "", P["closed_reason"]: ""}
# Where each column sits in a deadline row, and the history row's tracked columns.
D = {column: i for i, column in enumerate(DEADLINE_COLUMNS)}
_DEADLINE_TRACKED = itemgetter(*(D[column] for column in HDEADLINE_COLUMNS[: -len(HISTORY_COLUMNS)]))
_DEADLINE_CHANGES = tuple(D[c] for c in ("warned_at", "breached_at", "met_at", "ended_at"))
MET_BY = {DeadlineKind.FIRST_RESPONSE.value: "accept", DeadlineKind.RESOLUTION.value: "assure"}
ENDED_REASON = {
    Language.CHINESE: "工单已结束，不再需要。",
    Language.ENGLISH: "The case ended; no longer needed.",
}


def _chain_events(event_rows, first, owner):
    """Give the case's events (rows `first`… of the batch) their hash-chain columns, as
    services/events.py does for a recorded one (cases/audit_chain.py), and each 7A step how
    long the case waited for it (every generated event before a step is one after which a step is due),
    and its owner (a generated case keeps one owner throughout)."""
    previous, previous_at = "", None
    for index in range(first, len(event_rows)):
        case_id, kind, actor, at, from_state, to_state, reason, payload = event_rows[index]
        seq = index - first + 1
        digest = event_digest(
            case_id=case_id, seq=seq, kind=kind, actor_id=actor, created_at=at, from_state=from_state,
            to_state=to_state, reason=reason, payload=json.loads(payload), prev_hash=previous,
        )  # fmt: skip
        waited = round((at - previous_at).total_seconds()) if kind in STEP_EVENT_KINDS else None
        event_rows[index] = (
            case_id, kind, actor, at, from_state, to_state, reason, payload, seq, previous, digest, waited, owner,
        )  # fmt: skip
        previous, previous_at = digest, at


class Generator:
    """Builds the rows of one batch. Pure Python, no queries: ids and numbers are handed in."""

    def __init__(
        self, rng, *, now, start, step_seconds, agents, supervisor, categories, units, products, no_letter, total
    ):
        """agents, supervisor: users; categories, units, no_letter (why Assure needs no letter): reference
        rows; products: primary keys."""
        self.rng, self.now, self.start, self.step = rng, now, start, step_seconds
        self.agents, self.supervisor = agents, supervisor.pk
        # The sweeps' own changes (a promise missed, a deadline breached) are the system's, as in
        # production (core/history.py).
        self.system = system_user().pk
        self.categories, self.units, self.products = categories, units, products
        self.no_letter = no_letter
        forced_every = max(total // len(ALL_STATES), 1)
        self.forced = {k * forced_every: state for k, state in enumerate(ALL_STATES) if k * forced_every < total}
        self.channel = Picker(CHANNELS)
        self.tier = Picker(TIERS)
        needs = [tuple(sorted(random.Random(i).sample(EmotionalNeed.values, 2))) for i in range(12)]
        self.needs = [(n, json.dumps(n)) for n in needs]
        self.facts = {lang: json.dumps(TEXT[lang]["facts"], ensure_ascii=False) for lang in Language.values}
        self.amounts = {s: Decimal(s) for (*_x, s) in SUMMARIES[Language.CHINESE] if s}
        self.demands = DemandReasonable.values  # a new list at every access
        self.payloads = EventPayloads()
        self.grace = timedelta(minutes=settings.PROMISE_GRACE_MINUTES)
        self.follow_up_text = {}
        for lang in Language.values:
            with translation.override(lang):
                option = TEXT[lang]["options"][0]["action"]
                self.follow_up_text[lang] = str(MSG_FOLLOW_UP % {"option": option})

    def times(self, first_index, n):
        """Creation times of cases first_index … first_index+n-1: one per slot, so increasing."""
        rng, start, step = self.rng, self.start, self.step
        return [start + timedelta(seconds=(first_index + j + rng.random()) * step) for j in range(n)]

    def batch(self, first_index, times, *, case_ids, customer_ids, complaint_ids, numbers):
        """Rows for the cases created at `times` (index first_index onwards; ids and numbers per case),
        by table name (writer.TABLES)."""
        rng = self.rng
        n = len(times)
        rows = {name: [] for name in TABLE_NAMES}
        n_customers = len(customer_ids)
        # Customer k's first case is case k of the batch; later cases reuse an earlier customer.
        customers = []
        for j in range(n):
            if j < n_customers:
                lang = Language.CHINESE if rng.random() < ZH_SHARE else Language.ENGLISH
                cid = customer_ids[j]
                owner = self.agents[rng.randrange(len(self.agents))]
                since = (times[j] - timedelta(days=rng.randint(0, 3650))).date()
                created = times[j] - timedelta(seconds=rng.randint(0, 3600))
                account = f"AC{cid:010d}" if rng.random() < 0.8 else ""
                name = person_name(lang, rng)
                customer = (cid, name, phone_number(cid, lang, rng), account, self.tier(rng), lang, since, created)
                customers.append((customer, owner))
                rows["customer"].append(customer)
                rows["hcustomer"].append((*customer, created, None, "+", owner.pk))
                who, customer_new = j, True
            else:
                who, customer_new = rng.randrange(n_customers), False
            self._case(
                rows, first_index + j, times[j], customers[who], customer_new, case_ids[j], complaint_ids[j], numbers[j]
            )
        return rows

    def _state_for(self, index, created):
        forced = self.forced.get(index)
        if forced is not None:
            return forced
        return state_for_age((self.now - created).days, self.rng)

    def _promises(self, rows, case_id, owner, customer, lang, agreed, path, times):
        """The Agreement's two promises (ids assigned later: `promise_ids`); returns the earliest
        open one's time, or None."""
        at, callback = agreed
        ended, end_at = path[-1], times[-1]
        kept = "assure" in path
        t = TEXT[lang]
        open_times = []
        for kind, due, text, phone in (
            (PromiseKind.FOLLOW_UP.value, callback, self.follow_up_text[lang], customer[2]),
            (PromiseKind.COMMITMENT.value, callback - timedelta(hours=2), t["commitment"], ""),
        ):
            done_at = reached = missed_at = None
            outcome = reason = ""
            if kept:
                state, done_at, reached, outcome = PromiseState.KEPT.value, times[path.index("assure")], True, t["note"]
            elif ended in ("withdraw", "reject"):
                state, done_at, reason = PromiseState.CANCELLED.value, end_at, ENDED_REASON[lang]
            elif due + self.grace < self.now:
                state, missed_at = PromiseState.MISSED.value, due + self.grace
                open_times.append(due)
            else:
                state = PromiseState.SCHEDULED.value
                open_times.append(due)
            rows["promise"].append(
                [None, case_id, kind, state, due, text, phone, False, owner, owner, at, 0, None, None, done_at,
                 reached, outcome, missed_at, reason, None, None, None]
            )  # fmt: skip
        return min(open_times, default=None)

    def promise_ids(self, rows, ids):
        """Give the batch's promises their ids, and each its history: "+" as made, "~" as it ended."""
        history = rows["hpromise"]
        for promise, pk in zip(rows["promise"], ids, strict=True):
            promise[0] = pk
            made = list(promise)
            made[P["state"]] = PromiseState.SCHEDULED.value
            for i, value in _AS_MADE.items():
                made[i] = value
            owner = promise[P["promised_by_id"]]
            history.append((*_PROMISE_TRACKED(made), promise[P["created_at"]], None, "+", owner))
            if promise[P["state"]] != PromiseState.SCHEDULED.value:
                ended_at = promise[P["done_at"]] or promise[P["missed_at"]]
                actor = self.system if promise[P["state"]] == PromiseState.MISSED.value else owner
                history.append((*_PROMISE_TRACKED(promise), ended_at, None, "~", actor))
        rows["promise"] = [tuple(promise) for promise in rows["promise"]]

    def _deadlines(self, rows, case, path, times):
        """The case's two deadlines as intake started them and the steps and sweeps left them (ids
        assigned later: `deadline_ids`); returns the earliest live one's due time, or None."""
        done = dict(zip(path, times, strict=True))
        ended_at = done.get("withdraw") or done.get("reject")
        live = []
        for deadline in deadlines_build(case):
            kind, due, warn = deadline.kind.value, deadline.due_at, deadline.warn_at
            met = done.get(MET_BY[kind])
            ended = ended_at if met is None else None
            stop = met or ended or self.now
            warned = warn if warn < stop and warn < due else None
            breached = due if due < stop else None
            if met is None and ended is None:
                live.append(due)
            rows["deadline"].append(
                [None, case.id, kind, deadline.started_at, deadline.allowed_hours, due, warn, warned, breached, met,
                 ended, None, case.owner_id]
            )  # fmt: skip
        return min(live, default=None)

    def deadline_ids(self, rows, ids):
        """Give the batch's deadlines their ids, and each its history: "+" as started, "~" at its last
        change (by the owner when a step met or ended it, else by the sweep)."""
        history = rows["hdeadline"]
        owners = {case[C["id"]]: case[C["owner_id"]] for case in rows["case"]}
        for deadline, pk in zip(rows["deadline"], ids, strict=True):
            deadline[0] = pk
            started = list(deadline)
            for i in _DEADLINE_CHANGES:
                started[i] = None
            owner = owners[deadline[D["case_id"]]]
            history.append((*_DEADLINE_TRACKED(started), deadline[D["started_at"]], None, "+", owner))
            changes = [deadline[i] for i in _DEADLINE_CHANGES if deadline[i] is not None]
            if changes:
                by_step = deadline[D["met_at"]] or deadline[D["ended_at"]]
                actor = owner if by_step else self.system
                history.append((*_DEADLINE_TRACKED(deadline), max(changes), None, "~", actor))
        rows["deadline"] = [tuple(deadline) for deadline in rows["deadline"]]

    def _logged_row(self, case_id, number, owner, customer, channel, summary, created):
        """The case as intake opens it, in column order, JSON as text; and the case itself."""
        _cid, name, phone, _account, tier, lang = customer[:6]
        case = case_build(
            number=number,
            owner=owner,
            summary=summary,
            channel=channel,
            customer_name=name,
            customer_phone=phone,
            customer_tier=tier,
            customer_language=lang,
            at=created,
        )
        case.id = case_id
        row = list(_CASE_VALUES(case))
        for i, encode in _CASE_JSON:
            row[i] = encode(row[i])
        return row, case

    def _case(self, rows, index, created, customer_owner, customer_new, case_id, complaint_id, number):
        rng = self.rng
        customer, owner_user = customer_owner
        owner = owner_user.pk
        cid, lang = customer[0], customer[5]
        channel = self.channel(rng)
        summary, what, item, amount = SUMMARIES[lang][rng.randrange(len(SUMMARIES[lang]))]
        t = TEXT[lang]
        payloads = self.payloads
        state = self._state_for(index, created)
        path = path_to(state, rng)
        times = step_times(created, path, self.now, rng)
        category = rng.choice(self.categories)

        new, logged = self._logged_row(case_id, number, owner_user, customer, channel, summary, created)
        row = new.copy()
        event_rows = rows["event"]
        first_event = len(event_rows)
        event_rows.append(
            (case_id, case_events.LOGGED.code, owner, created, "", _NEW, "",
             payloads.logged(channel, customer_new))
        )  # fmt: skip
        previous = _NEW
        agreed = None  # (agreement time, follow-up time)
        for step, at in zip(path, times, strict=True):
            actor, reason = owner, ""
            if step == "accept":
                first_contact = at - timedelta(seconds=rng.randint(30, 900))
                words = t["customer_words"][rng.randrange(3)]
                row[C["first_contact_at"]] = first_contact
                row[C["customer_words"]] = words
                row[C["accepted_at"]] = at
                payload = payloads.accept(first_contact, words)
            elif step == "apologize":
                row[C["apology_text"]] = t["apology_text"]
                row[C["apologized_at"]] = at
                payload = payloads.apologize(lang)
            elif step == "acknowledge":
                needs, needs_json = self.needs[rng.randrange(len(self.needs))]
                row[C["restated_problem"]] = t["restated_problem"]
                row[C["emotional_needs"]] = needs_json
                row[C["acknowledged_at"]] = at
                payload = payloads.acknowledge(lang, needs)
            elif step == "analyze":
                unit = rng.choice(self.units)
                row[C["facts"]] = self.facts[lang]
                row[C["root_cause"]] = t["root_cause"]
                row[C["category_id"]] = category.pk
                row[C["responsible_unit_id"]] = unit.pk
                row[C["desired_outcome"]] = t["desired_outcome"]
                row[C["analyzed_at"]] = at
                payload = payloads.analyze(lang, category, unit)
            elif step == "offer_alternatives":
                row[C["options_round"]] = 1
                row[C["alternatives_offered_at"]] = at
                payload = payloads.offer_alternatives(lang)
            elif step == "agree":
                # The callback comes two hours after the promise is due (as the demo loader has it).
                callback = at + timedelta(days=rng.randint(1, 3), hours=2)
                row[C["customer_confirmed"]] = True
                row[C["next_callback_at"]] = callback
                row[C["agreed_at"]] = at
                agreed = (at, callback)
                payload = payloads.agree(lang, callback, callback - timedelta(hours=2))
            elif step == "assure":
                satisfaction = rng.randint(3, 5) if rng.random() < 0.9 else rng.randint(1, 2)
                row[C["follow_up_done"]] = True
                row[C["follow_up_note"]] = t["note"]
                row[C["satisfaction"]] = satisfaction
                row[C["thanked"]] = True
                row[C["no_letter_reason_id"]] = self.no_letter.pk
                row[C["assured_at"]] = at
                payload = payloads.assure(lang, satisfaction, self.no_letter)
            elif step == "close":
                row[C["closing_note"]] = t["note"]
                row[C["closed_at"]] = at
                row[C["is_open"]] = False
                payload = payloads.close(lang)
            else:  # withdraw, reject
                reason = END_REASON[step][lang]
                row[C["end_reason"]] = reason
                row[C["closed_at"]] = at
                row[C["is_open"]] = False
                if step == "reject":
                    actor = self.supervisor
                    payload = payloads.reject()
                else:  # the customer called to withdraw
                    words = WITHDRAWAL_WORDS[lang]
                    row[C["withdrawn_at"]] = at
                    row[C["withdrawal_channel"]] = "phone"
                    row[C["withdrawal_words"]] = words
                    payload = payloads.withdraw(at, "phone", words)
            target = _TARGET[step]
            event_rows.append((case_id, step, actor, at, previous, target, reason, payload))
            previous = target
        _chain_events(event_rows, first_event, owner)
        row[C["state"]] = previous
        if agreed is not None:
            row[C["next_callback_at"]] = self._promises(rows, case_id, owner, customer, lang, agreed, path, times)
        row[C["deadline_at"]] = self._deadlines(rows, logged, path, times)
        if path:
            row[C["updated_at"]] = times[-1]
        rows["case"].append(tuple(row))
        rows["hcase"].append((*_CASE_TRACKED(new), created, None, "+", owner))
        if path:
            last_actor = self.supervisor if path[-1] == "reject" else owner
            rows["hcase"].append((*_CASE_TRACKED(row), times[-1], None, "~", last_actor))

        complaint = (
            complaint_id, case_id, cid, owner, created, channel, summary, what,
            created - timedelta(hours=rng.randint(1, 240)), item, self.amounts.get(amount), "",
            "", RESOLUTIONS[lang][rng.randrange(3)],
            self.demands[rng.randrange(4)], category.pk if rng.random() < 0.7 else None,
            rng.choice(self.products) if self.products and rng.random() < 0.8 else None,
        )  # fmt: skip
        rows["complaint"].append(complaint)
        rows["hcomplaint"].append((*complaint, created, None, "+", owner))
