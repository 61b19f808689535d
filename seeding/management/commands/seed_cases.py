"""Bulk-generate cases for load tests and benchmarks: `manage.py seed_cases --cases 1000000`.

Why it bypasses the services. `complaint_log` and `case_transition` do per-row work (a form, a
counter UPDATE, one INSERT per row, a history row through a signal, an event, FSM checks) that
costs milliseconds per case — hours for a million. This is a bulk loader: it generates the rows in
Python and writes them per batch with PostgreSQL's COPY (psycopg 3), or `bulk_create` on other
databases (SQLite in the tests), committing each batch so memory stays flat.

What it writes is what the services would have written, and satisfies the same invariants:
- every case has its Customer (about one customer per three cases, reused within a batch), its
  Complaint, and a CaseEvent per step it took: "logged", then one event per transition on its
  path (accept … close, or withdraw/reject from wherever it stopped), actor = the owner (a
  supervisor for "reject", which only supervisors may do), times increasing and never in the
  future;
- state, is_open and the evidence fields agree: a case past a step has that step's evidence and
  time (accepted_at, customer_words, … analyze's facts, category and responsible unit …), a
  closed/withdrawn/rejected case has closed_at and is_open=False (the CHECK constraint holds);
- priority is `priority_for(tier, channel)`; the case snapshots its customer's name, phone, tier and
  language; phones are unique per customer so intake's lookup by phone finds the right one;
- django-simple-history rows exist for each Customer, Complaint and Case: history_type "+",
  history_user = the owner, history_date = the creation time. The "+" row of a case is the case as
  logged (state "new"); a case that moved on also gets one "~" row with its current values at the
  time of its last transition, so `history.latest()` equals the row. (The intermediate steps'
  field-level snapshots are collapsed into that one "~" row; the event timeline has every step.)
  Options (CaseOption) and commitments are not generated: a seeded agreed case has
  customer_confirmed and next_callback_at but no chosen_option row;
- case numbers are "C-YYYY-NNNNNN", continuing the per-year CaseNumberCounter: each batch bumps the
  counters of the years it uses by its number of cases (INSERT … ON CONFLICT … RETURNING), so the
  numbers are unique and a later intake continues after them — even one running during the load.
  With one writer (SQLite, or --workers 1) the bump is in the batch's transaction, so numbers stay
  gapless; with parallel writers it is committed before the batch is written, so a batch that fails
  leaves its numbers unused (a gap, never a duplicate).

Speed: on PostgreSQL one thread generates the rows while --workers threads (default: the CPUs, at
most 4) COPY batches on their own connections with synchronous_commit off: about 5.6k cases/s
(~79k rows/s, 14 rows per case) on two cores, 1M cases in about three minutes (docs/benchmarks.md).
About a third of the server's work is the deferred foreign-key checks run at each commit. The
tables are ANALYZEd at the end so the planner knows the new sizes.

created_at is spread over the last ~2 years in increasing order (ids follow time, as in real use);
the state depends on the age (recent cases are early in the 7A steps, old ones mostly ended), and
the first eleven cases spread over the run are forced to one state each so every state appears
even for a small N. Owners are agent_seed_1..20 (group "agent"), created when missing.
"""

import bisect
import json
import os
import queue
import random
import threading
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.roles import Role
from cases import events as case_events
from cases.choices import CaseState, Channel, CustomerTier, EmotionalNeed, Language, priority_for
from cases.models import Case, CaseEvent, CaseNumberCounter, Category, ResponsibleUnit
from cases.services.creation import CASE_NUMBER_FORMAT
from complaints.models import Complaint, Customer, DemandReasonable, Product
from seeding.sample_evidence import TEXT

AGENTS = 20
AGENT_NAME = "agent_seed_{}"
SUPERVISOR_NAME = "supervisor_seed_1"
SPAN_DAYS = 730

MAIN_PATH = ("accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure", "close")
TARGET = {
    "accept": CaseState.ACCEPTED,
    "apologize": CaseState.APOLOGIZED,
    "acknowledge": CaseState.ACKNOWLEDGED,
    "analyze": CaseState.ANALYZED,
    "offer_alternatives": CaseState.ALTERNATIVES_OFFERED,
    "agree": CaseState.AGREED,
    "assure": CaseState.ASSURED,
    "close": CaseState.CLOSED,
    "withdraw": CaseState.WITHDRAWN,
    "reject": CaseState.REJECTED,
}
STEPS_TO = {CaseState.NEW: 0, **{TARGET[step]: i + 1 for i, step in enumerate(MAIN_PATH)}}
# Seconds between one step and the next: (min, max).
GAP = {
    "accept": (120, 7200),
    "apologize": (30, 600),
    "acknowledge": (30, 600),
    "analyze": (3600, 3 * 86400),
    "offer_alternatives": (3600, 2 * 86400),
    "agree": (3600, 3 * 86400),
    "assure": (86400, 7 * 86400),
    "close": (600, 86400),
    "withdraw": (3600, 5 * 86400),
    "reject": (3600, 3 * 86400),
}
ALL_STATES = tuple(CaseState)
# State mix by age of the case (days): recent cases are early in the steps, old ones have ended.
AGE_MIX = (
    (2, {"new": 35, "accepted": 15, "apologized": 10, "acknowledged": 15, "analyzed": 10,
         "alternatives_offered": 5, "withdrawn": 5, "rejected": 5}),
    (14, {"new": 5, "accepted": 5, "apologized": 5, "acknowledged": 10, "analyzed": 15, "alternatives_offered": 15,
          "agreed": 15, "assured": 10, "closed": 10, "withdrawn": 5, "rejected": 5}),
    (60, {"analyzed": 3, "alternatives_offered": 4, "agreed": 6, "assured": 7, "closed": 70, "withdrawn": 6,
          "rejected": 4}),
    (None, {"new": 0.3, "analyzed": 0.5, "agreed": 0.5, "assured": 0.7, "closed": 88, "withdrawn": 6,
            "rejected": 4}),
)  # fmt: skip
CHANNELS = ((Channel.PHONE, 40), (Channel.WEB, 15), (Channel.RETAIL_HALL, 15), (Channel.INFORMAL, 10),
            (Channel.LETTER, 8), (Channel.REGULATOR, 7), (Channel.LEGAL, 5))  # fmt: skip
TIERS = ((CustomerTier.STANDARD, 55), (CustomerTier.SILVER, 25), (CustomerTier.GOLD, 13), (CustomerTier.VIP, 7))
ZH_SHARE = 0.7

ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国文辉鹏飞宇浩然欣怡子涵梓轩晓雪梅琳"
EN_FIRST = ("John", "Mary", "David", "Sarah", "Michael", "Emily", "James", "Jessica", "Robert", "Jennifer", "William",
            "Linda", "Daniel", "Karen", "Thomas", "Susan", "Peter", "Helen", "Mark", "Grace", "Kevin", "Alice",
            "Brian", "Laura", "Eric", "Amy", "Jason", "Rachel", "Simon", "Chloe")  # fmt: skip
EN_LAST = ("Smith", "Johnson", "Brown", "Lee", "Wong", "Chan", "Taylor", "Wilson", "Davies", "Evans", "Thomas",
           "Roberts", "Walker", "Wright", "Green", "Hall", "Wood", "Clarke", "Lam", "Cheung", "Ng", "Ho", "Leung",
           "Yip", "Tsang", "Martin", "White", "Harris", "Lewis", "Young")  # fmt: skip
ZH_PHONE_PREFIX = ("139", "138", "137", "136", "135", "158", "186", "187", "150", "131")

SUMMARIES = {
    Language.CHINESE: (
        ("话费多扣两百元", "本月账单比平时多了两百元，客户没有使用额外业务。", "月账单", "200.00"),
        ("宽带频繁断线", "近一周宽带每天断线多次，影响在家办公。", "宽带服务", None),
        ("营业厅服务态度差", "客户在营业厅办理业务时营业员态度冷淡、不耐烦。", "", None),
        ("国际漫游费用过高", "出国一周产生漫游费一千二百元，事先没有收到提醒。", "漫游费", "1200.00"),
        ("套餐变更未生效", "上月申请变更套餐，本月仍按旧套餐扣费。", "套餐月费", "58.00"),
        ("装机师傅迟到", "约定上午上门装机，师傅下午四点才到，也没有提前通知。", "", None),
        ("手机信号差", "家中室内几乎没有信号，打电话经常掉线。", "", None),
        ("增值业务被莫名开通", "账单中出现从未订购的视频会员费用。", "增值业务费", "30.00"),
    ),
    Language.ENGLISH: (
        ("Overcharged 200 on the bill", "This month's bill is 200 higher than usual; no extra services used.",
         "Monthly bill", "200.00"),
        ("Broadband keeps dropping", "The broadband drops several times a day this week; working from home fails.",
         "Broadband service", None),
        ("Rude staff at the retail hall", "The clerk at the store was curt and impatient.", "", None),
        ("Roaming charges too high", "A week abroad cost 1,200 in roaming with no warning text.", "Roaming",
         "1200.00"),
        ("Plan change not applied", "Asked to change plan last month; still billed on the old plan.", "Plan fee",
         "58.00"),
        ("Installer arrived late", "Booked for the morning, the installer came at 4 pm without notice.", "", None),
        ("Poor signal at home", "Almost no signal indoors; calls drop all the time.", "", None),
        ("Add-on activated without consent", "The bill shows a video subscription never ordered.", "Add-on fee",
         "30.00"),
    ),
}  # fmt: skip
RESOLUTIONS = {Language.CHINESE: ("退还多扣的费用", "尽快修好并给个说法", "道歉并赔偿"),
               Language.ENGLISH: ("Refund the overcharge", "Fix it fast and explain", "An apology and compensation")}  # fmt: skip
END_REASON = {
    "withdraw": {Language.CHINESE: "客户来电撤回投诉", Language.ENGLISH: "The customer called to withdraw."},
    "reject": {Language.CHINESE: "经核实不属于有效投诉", Language.ENGLISH: "Checked: not a valid complaint."},
}

CASE_COLUMNS = (
    "id", "number", "state", "is_open", "priority", "summary", "channel", "customer_name", "customer_phone",
    "customer_tier", "customer_language", "created_at", "updated_at", "first_contact_at", "customer_words",
    "accepted_at", "apology_text", "apologized_at", "restated_problem", "emotional_needs", "acknowledged_at",
    "facts", "root_cause", "desired_outcome", "analyzed_at", "options_round", "alternatives_offered_at",
    "customer_confirmed", "next_callback_at", "agreed_at", "follow_up_done", "follow_up_note", "satisfaction",
    "thanked", "assured_at", "closing_note", "closed_at", "end_reason", "reopen_count", "owner_id",
    "chosen_option_id", "category_id", "responsible_unit_id",
)  # fmt: skip
C = {name: i for i, name in enumerate(CASE_COLUMNS)}
UPDATED_AT = C["updated_at"]
HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")
HCASE_COLUMNS = CASE_COLUMNS[:UPDATED_AT] + CASE_COLUMNS[UPDATED_AT + 1 :] + HISTORY_COLUMNS
CUSTOMER_COLUMNS = ("id", "name", "phone", "account_number", "tier", "preferred_language", "customer_since",
                    "created_at")  # fmt: skip
HCUSTOMER_COLUMNS = CUSTOMER_COLUMNS + HISTORY_COLUMNS
COMPLAINT_COLUMNS = (
    "id", "case_id", "customer_id", "logged_by_id", "logged_at", "channel", "summary", "what_happened",
    "occurred_at", "disputed_item", "disputed_amount", "staff_involved", "real_dissatisfaction",
    "desired_resolution", "demand_reasonable", "category_id", "product_id",
)  # fmt: skip
HCOMPLAINT_COLUMNS = COMPLAINT_COLUMNS + HISTORY_COLUMNS
EVENT_COLUMNS = ("case_id", "kind", "actor_id", "created_at", "from_state", "to_state", "reason", "payload")


def _cumulative(pairs):
    values, weights = zip(*pairs, strict=True)
    total, cum = 0.0, []
    for w in weights:
        total += w
        cum.append(total)
    return values, [c / total for c in cum]


class Picker:
    """Weighted choice with one random() and a bisect (random.choices is slower per call)."""

    def __init__(self, pairs):
        self.values, self.cum = _cumulative(pairs)

    def __call__(self, rng):
        return self.values[bisect.bisect_right(self.cum, rng.random())]


AGE_PICKERS = [(days, Picker(list(mix.items()))) for days, mix in AGE_MIX]


class Tables:
    """The seven tables one batch writes, with their column lists (model ↔ table checked at start)."""

    def __init__(self):
        self.spec = [
            (Customer, CUSTOMER_COLUMNS),
            (Customer.history.model, HCUSTOMER_COLUMNS),
            (Case, CASE_COLUMNS),
            (Case.history.model, HCASE_COLUMNS),
            (Complaint, COMPLAINT_COLUMNS),
            (Complaint.history.model, HCOMPLAINT_COLUMNS),
            (CaseEvent, EVENT_COLUMNS),
        ]

    def check(self):
        """Every column we write exists, and every NOT NULL column we leave out has a default."""
        problems = []
        with connection.cursor() as cursor:
            for model, columns in self.spec:
                table = model._meta.db_table
                described = {c.name: c for c in connection.introspection.get_table_description(cursor, table)}
                unknown = [c for c in columns if c not in described]
                if unknown:
                    problems.append(f"{table}: no column {', '.join(unknown)}")
                pk = model._meta.pk.column
                for name, info in described.items():
                    if name in columns or name == pk or info.null_ok:
                        continue
                    if getattr(info, "default", None) is None and not getattr(info, "is_autofield", False):
                        problems.append(f"{table}.{name} is NOT NULL and seed_cases does not fill it")
        if problems:
            raise CommandError("The schema changed; teach seed_cases the new columns:\n  " + "\n  ".join(problems))


class Generator:
    """Builds the rows of one batch. Pure Python, no queries: ids and numbers are handed in."""

    def __init__(self, rng, *, now, start, step_seconds, agents, supervisor, categories, units, products, total):
        self.rng, self.now, self.start, self.step = rng, now, start, step_seconds
        self.agents, self.supervisor = agents, supervisor
        self.categories, self.units, self.products = categories, units, products
        self.total = total
        forced_every = max(total // len(ALL_STATES), 1)
        self.forced = {k * forced_every: state for k, state in enumerate(ALL_STATES) if k * forced_every < total}
        self.channel = Picker(CHANNELS)
        self.tier = Picker(TIERS)
        self.priority = {(t, c): int(priority_for(t, c)) for t in CustomerTier.values for c in Channel.values}
        self.needs = [json.dumps(sorted(random.Random(i).sample(EmotionalNeed.values, 2))) for i in range(12)]
        self.facts = {lang: json.dumps(TEXT[lang]["facts"], ensure_ascii=False) for lang in Language.values}
        self.amounts = {s: Decimal(s) for (*_x, s) in SUMMARIES[Language.CHINESE] if s}
        self.empty_list, self.empty_dict = "[]", "{}"
        self.payloads = {
            (step, lang): json.dumps(self._payload(step, lang), ensure_ascii=False)
            for step in TARGET
            for lang in Language.values
        }

    @staticmethod
    def _payload(step, lang):
        t = TEXT[lang]
        return {
            "accept": {"customer_words": t["customer_words"][0]},
            "apologize": {"apology_text": t["apology_text"]},
            "acknowledge": {"restated_problem": t["restated_problem"]},
            "analyze": {"facts": t["facts"], "root_cause": t["root_cause"]},
            "offer_alternatives": {"options": t["options"]},
            "agree": {"chosen_option": 1, "commitments": [{"description": t["commitment"]}]},
            "assure": {"follow_up_done": True, "thanked": True},
            "close": {"closing_note": t["note"]},
        }.get(step, {})

    # --- people ----------------------------------------------------------------------------

    def _name(self, lang):
        rng = self.rng
        if lang == Language.ENGLISH:
            return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
        given = rng.choice(ZH_GIVEN) + (rng.choice(ZH_GIVEN) if rng.random() < 0.6 else "")
        return rng.choice(ZH_SURNAMES) + given

    def _phone(self, customer_id, lang):
        # Unique per customer (derived from its id), so intake's lookup by phone finds it.
        if lang == Language.ENGLISH:
            return f"+8529{customer_id:07d}"
        return f"{self.rng.choice(ZH_PHONE_PREFIX)}{customer_id:08d}"

    # --- one batch --------------------------------------------------------------------------

    def times(self, first_index, n):
        """Creation times of cases first_index … first_index+n-1: one per slot, so increasing."""
        rng, start, step = self.rng, self.start, self.step
        return [start + timedelta(seconds=(first_index + j + rng.random()) * step) for j in range(n)]

    def batch(self, first_index, times, *, case_ids, customer_ids, complaint_ids, numbers):
        """Rows for the cases created at `times` (index first_index onwards; ids and numbers per case)."""
        rng = self.rng
        n = len(times)
        rows = {name: [] for name in ("customer", "hcustomer", "case", "hcase", "complaint", "hcomplaint", "event")}
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
                customer = (
                    cid,
                    self._name(lang),
                    self._phone(cid, lang),
                    account,
                    self.tier(rng),
                    lang,
                    since,
                    created,
                )
                customers.append((customer, owner))
                rows["customer"].append(customer)
                rows["hcustomer"].append((*customer, created, None, "+", owner))
                who = j
            else:
                who = rng.randrange(n_customers)
            self._case(rows, first_index + j, times[j], customers[who], case_ids[j], complaint_ids[j], numbers[j])
        return rows

    def _state_for(self, index, created):
        forced = self.forced.get(index)
        if forced is not None:
            return forced
        age = (self.now - created).days
        for days, picker in AGE_PICKERS:
            if days is None or age < days:
                return CaseState(picker(self.rng))
        raise AssertionError

    def _path(self, state):
        rng = self.rng
        if state == CaseState.WITHDRAWN:
            return (*MAIN_PATH[: rng.randint(0, 5)], "withdraw")
        if state == CaseState.REJECTED:
            return (*MAIN_PATH[: rng.randint(0, 3)], "reject")
        return MAIN_PATH[: STEPS_TO[state]]

    def _times(self, created, path):
        """Increasing step times after `created`, squeezed to end before now if they would not."""
        rng = self.rng
        offsets, total = [], 0.0
        for step in path:
            low, high = GAP[step]
            total += rng.uniform(low, high)
            offsets.append(total)
        room = (self.now - created).total_seconds() - 1
        if offsets and offsets[-1] > room:
            scale = max(room, 0) / offsets[-1]
            offsets = [o * scale for o in offsets]
        return [created + timedelta(seconds=o) for o in offsets]

    def _case(self, rows, index, created, customer_owner, case_id, complaint_id, number):
        rng = self.rng
        customer, owner = customer_owner
        cid, name, phone, _account, tier, lang = customer[:6]
        channel = self.channel(rng)
        summary, what, item, amount = SUMMARIES[lang][rng.randrange(len(SUMMARIES[lang]))]
        t = TEXT[lang]
        state = self._state_for(index, created)
        path = self._path(state)
        step_times = self._times(created, path)
        category = rng.choice(self.categories)

        new = [
            case_id, number, CaseState.NEW.value, True, self.priority[(tier, channel)], summary, channel, name,
            phone, tier, lang, created, created, None, "", None, "", None, "", self.empty_list, None,
            self.empty_dict, "", "", None, 0, None, False, None, None, False, "", None, False, None, "", None, "", 0,
            owner, None, None, None,
        ]  # fmt: skip
        row = new.copy()
        events = rows["event"]
        events.append(
            (case_id, case_events.LOGGED.code, owner, created, "", CaseState.NEW.value, "",
             json.dumps({"customer_id": cid, "channel": channel}))
        )  # fmt: skip
        previous = CaseState.NEW.value
        for step, at in zip(path, step_times, strict=True):
            target = TARGET[step].value
            actor, reason = owner, ""
            if step == "accept":
                row[C["first_contact_at"]] = at - timedelta(seconds=rng.randint(30, 900))
                row[C["customer_words"]] = t["customer_words"][rng.randrange(3)]
                row[C["accepted_at"]] = at
            elif step == "apologize":
                row[C["apology_text"]] = t["apology_text"]
                row[C["apologized_at"]] = at
            elif step == "acknowledge":
                row[C["restated_problem"]] = t["restated_problem"]
                row[C["emotional_needs"]] = self.needs[rng.randrange(len(self.needs))]
                row[C["acknowledged_at"]] = at
            elif step == "analyze":
                row[C["facts"]] = self.facts[lang]
                row[C["root_cause"]] = t["root_cause"]
                row[C["category_id"]] = category
                row[C["responsible_unit_id"]] = rng.choice(self.units)
                row[C["desired_outcome"]] = t["desired_outcome"]
                row[C["analyzed_at"]] = at
            elif step == "offer_alternatives":
                row[C["options_round"]] = 1
                row[C["alternatives_offered_at"]] = at
            elif step == "agree":
                row[C["customer_confirmed"]] = True
                row[C["next_callback_at"]] = at + timedelta(days=rng.randint(1, 3), hours=2)
                row[C["agreed_at"]] = at
            elif step == "assure":
                row[C["follow_up_done"]] = True
                row[C["follow_up_note"]] = t["note"]
                row[C["satisfaction"]] = rng.randint(3, 5) if rng.random() < 0.9 else rng.randint(1, 2)
                row[C["thanked"]] = True
                row[C["assured_at"]] = at
            elif step == "close":
                row[C["closing_note"]] = t["note"]
                row[C["closed_at"]] = at
                row[C["is_open"]] = False
            else:  # withdraw, reject
                reason = END_REASON[step][lang]
                row[C["end_reason"]] = reason
                row[C["closed_at"]] = at
                row[C["is_open"]] = False
                if step == "reject":
                    actor = self.supervisor
            events.append((case_id, step, actor, at, previous, target, reason, self.payloads[(step, lang)]))
            previous = target
        row[C["state"]] = previous
        if path:
            row[C["updated_at"]] = step_times[-1]
        rows["case"].append(tuple(row))
        rows["hcase"].append((*new[:UPDATED_AT], *new[UPDATED_AT + 1 :], created, None, "+", owner))
        if path:
            last_actor = self.supervisor if path[-1] == "reject" else owner
            rows["hcase"].append((*row[:UPDATED_AT], *row[UPDATED_AT + 1 :], step_times[-1], None, "~", last_actor))

        complaint = (
            complaint_id, case_id, cid, owner, created, channel, summary, what,
            created - timedelta(hours=rng.randint(1, 240)), item, self.amounts.get(amount), "",
            "", RESOLUTIONS[lang][rng.randrange(3)],
            DemandReasonable.values[rng.randrange(4)], category if rng.random() < 0.7 else None,
            rng.choice(self.products) if self.products and rng.random() < 0.8 else None,
        )  # fmt: skip
        rows["complaint"].append(complaint)
        rows["hcomplaint"].append((*complaint, created, None, "+", owner))


class Writer:
    """Ids, case numbers and the actual writes, per database vendor."""

    def __init__(self, tables):
        self.tables = tables
        self.postgres = connection.vendor == "postgresql"
        self.json_columns = {
            model: [i for i, col in enumerate(columns) if isinstance(self._field(model, col), models.JSONField)]
            for model, columns in tables.spec
        }

    @staticmethod
    def _field(model, column):
        for f in model._meta.concrete_fields:
            if f.column == column:
                return f
        return None

    def ids(self, model, n):
        """n fresh primary keys. PostgreSQL: from the table's own sequence (safe with concurrent inserts)."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [r[0] for r in cursor.fetchall()]
            # Not PostgreSQL: a single writer (SQLite), so the next ids are simply after the largest.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + n))

    @staticmethod
    def numbers(years):
        """Reserve case numbers: {year: count} → {year: iterator of "C-YYYY-NNNNNN"}, counters bumped."""
        table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
        # The table name is the model's, quoted; the values are parameters.
        sql = (
            f"INSERT INTO {table} (year, last_value) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (year) DO UPDATE SET last_value = {table}.last_value + EXCLUDED.last_value "
            "RETURNING last_value"
        )
        out = {}
        with connection.cursor() as cursor:
            for year, count in sorted(years.items()):
                cursor.execute(sql, [year, count])
                last = cursor.fetchone()[0]
                out[year] = iter(
                    [CASE_NUMBER_FORMAT.format(year=year, value=v) for v in range(last - count + 1, last + 1)]
                )
        return out

    def session(self):
        """Per transaction: a loader can lose its last batches on a crash, but need not wait for fsync."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO off")

    def write(self, rows):
        names = ("customer", "hcustomer", "case", "hcase", "complaint", "hcomplaint", "event")
        # Customers and cases before what points at them (the FKs are deferred anyway).
        for (model, columns), name in zip(self.tables.spec, names, strict=True):
            if rows[name]:
                (self._copy if self.postgres else self._bulk)(model, columns, rows[name])

    @staticmethod
    def _copy(model, columns, data):
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in data:
                write_row(row)

    def _bulk(self, model, columns, data):
        json_at = self.json_columns[model]
        objs = []
        for row in data:
            values = dict(zip(columns, row, strict=True))
            for i in json_at:
                values[columns[i]] = json.loads(row[i])
            objs.append(model(**values))
        model.objects.bulk_create(objs, batch_size=500)


class Command(BaseCommand):
    help = "Bulk-generate cases with customers, complaints, events and history (COPY on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1000, help="how many cases to create (default 1000)")
        parser.add_argument("--batch", type=int, default=10_000, help="cases per transaction (default 10000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="PostgreSQL: connections writing batches in parallel (default: the number of CPUs, at most 4)",
        )
        parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE of the tables at the end")

    def handle(self, *args, cases, batch, seed, workers, no_analyze, **options):
        if cases < 1 or batch < 1:
            raise CommandError("--cases and --batch must be positive.")
        tables = Tables()
        tables.check()
        writer = Writer(tables)
        if not writer.postgres or connection.in_atomic_block:
            # Other connections cannot see rows of an open transaction (e.g. a test's users).
            workers = 1
        elif workers is None:
            workers = max(1, min(os.cpu_count() or 1, 4))
        agents, supervisor = self._users()
        categories = list(Category.objects.values_list("pk", flat=True))
        units = list(ResponsibleUnit.objects.values_list("pk", flat=True))
        products = list(Product.objects.values_list("pk", flat=True))
        if not categories or not units:
            raise CommandError("No categories or responsible units: run migrate first (reference data).")
        now = timezone.now()
        end = now - timedelta(minutes=5)
        start = end - timedelta(days=SPAN_DAYS)
        gen = Generator(
            random.Random(seed),
            now=now,
            start=start,
            step_seconds=(end - start).total_seconds() / cases,
            agents=agents,
            supervisor=supervisor,
            categories=categories,
            units=units,
            products=products,
            total=cases,
        )
        self.began = time.monotonic()
        self.cases, self.done, self.rows = cases, 0, 0
        batches = [(first, min(batch, cases - first)) for first in range(0, cases, batch)]
        if workers == 1:
            for first, n in batches:
                with transaction.atomic():
                    writer.session()
                    rows = self._generate(gen, writer, first, n)
                    writer.write(rows)
                self._progress(n, rows)
        else:
            self._parallel(gen, writer, batches, workers)
        elapsed = time.monotonic() - self.began
        if writer.postgres and not no_analyze:
            with connection.cursor() as cursor:
                for model, _columns in tables.spec:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {cases:,} cases ({self.rows:,} rows) in {elapsed:.1f} s with {workers} writer(s): "
                f"{self.rows / elapsed:,.0f} rows/s, {cases / elapsed:,.0f} cases/s."
            )
        )

    def _progress(self, n, rows):
        self.done += n
        self.rows += sum(len(r) for r in rows.values())
        elapsed = time.monotonic() - self.began
        self.stdout.write(
            f"  {self.done:>10,} / {self.cases:,} cases  {self.rows:>12,} rows  {elapsed:7.1f} s  "
            f"{self.rows / elapsed:>9,.0f} rows/s  {self.done / elapsed:>7,.0f} cases/s"
        )

    def _generate(self, gen, writer, first, n):
        """Reserve the batch's ids and case numbers, then build its rows (no writes yet)."""
        times = gen.times(first, n)
        years = [timezone.localtime(t).year for t in times]
        counts = {}
        for year in years:
            counts[year] = counts.get(year, 0) + 1
        reserved = writer.numbers(counts)
        # Times ascend, so each year's numbers ascend with them.
        numbers = [next(reserved[year]) for year in years]
        return gen.batch(
            first,
            times,
            case_ids=writer.ids(Case, n),
            customer_ids=writer.ids(Customer, max(1, -(-n // 3))),
            complaint_ids=writer.ids(Complaint, n),
            numbers=numbers,
        )

    def _parallel(self, gen, writer, batches, workers):
        """PostgreSQL: this thread generates batches, `workers` threads COPY them, each on its own
        connection and in its own transaction, so the server works on several cores while Python
        builds the next batch. Numbers and ids are reserved (committed) before the batch is written:
        they stay unique; a batch that fails leaves its numbers unused."""
        todo = queue.Queue(maxsize=workers)  # bounded: memory stays flat
        lock = threading.Lock()
        failure = []

        def work():
            # Keeps taking batches after a failure (dropping them) so the producer never blocks.
            try:
                while (item := todo.get()) is not None:
                    n, rows = item
                    if failure:
                        continue
                    try:
                        with transaction.atomic():
                            writer.session()
                            writer.write(rows)
                    except Exception as exc:
                        failure.append(exc)
                        continue
                    with lock:
                        self._progress(n, rows)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, name=f"seed-writer-{i}", daemon=True) for i in range(workers)]
        for thread in threads:
            thread.start()
        try:
            for first, n in batches:
                if failure:
                    break
                todo.put((n, self._generate(gen, writer, first, n)))
        finally:
            for _thread in threads:
                todo.put(None)
            for thread in threads:
                thread.join()
        if failure:
            raise CommandError(f"A writer failed: {failure[0]!r}") from failure[0]

    def _users(self):
        """agent_seed_1..20 (group "agent") own the cases; supervisor_seed_1 rejects. Created when missing."""
        User = get_user_model()
        groups = {role: Group.objects.get(name=role) for role in (Role.AGENT, Role.SUPERVISOR)}
        rng = random.Random(0)
        agents = []
        for i in range(1, AGENTS + 1):
            zh = i % 3 != 0
            user, created = User.objects.get_or_create(
                username=AGENT_NAME.format(i),
                defaults={
                    "first_name": rng.choice(ZH_GIVEN) if zh else rng.choice(EN_FIRST),
                    "last_name": rng.choice(ZH_SURNAMES) if zh else rng.choice(EN_LAST),
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(groups[Role.AGENT])
            agents.append(user.pk)
        supervisor, created = User.objects.get_or_create(
            username=SUPERVISOR_NAME, defaults={"first_name": "主管", "last_name": "种子"}
        )
        if created:
            supervisor.set_unusable_password()
            supervisor.save(update_fields=["password"])
        supervisor.groups.add(groups[Role.SUPERVISOR])
        return agents, supervisor.pk
