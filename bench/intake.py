"""Complaint intake: POST /api/complaints/ with and without live-update pushes, versus a bare ORM
insert of the same three rows.

Five paths, interleaved so they see the same database state:

- api: the API in process through Django's test client with token auth — the full request,
  middleware, DRF, authentication, form validation, the intake service (customer lookup, case
  number, three rows, three history rows, the "logged" event), the hand-over of its pushes to the
  push sender after commit (with the configured channel layer: Redis in `make bench`) and the JSON
  response; no network and no web server. After the response the benchmark waits, untimed, until
  the pushes were sent, so they never run into the next request's timing;
- api_nopush: the same request with live updates off (no channel layer), the target's baseline;
- service: `complaints.services.complaint_log` called directly (validation, lookups, all writes;
  no HTTP), to split the API's cost between the web stack and the service;
- writes: only the writes the service makes, through the ORM: the three rows saved with history
  (simple-history's signal), the case-number counter, the "logged" event — no validation, no
  lookups, no HTTP;
- bare: the same Customer, Case and Complaint rows with `save_without_historical_record()`
  (simple-history's own switch: the ordinary `Model.save()` INSERT … RETURNING, the history signal
  returns at once) in one `transaction.atomic()` per complaint: no HTTP, no validation, no lookup,
  no counter (the number is made in Python), no history, no event. We prefer this to
  `bulk_create([obj])`, which would issue the same single INSERT per row but skip the save signals
  altogether: the bare path should be the plain ORM save the service itself builds on.

The targets compare api with api_nopush (pushes may cost at most 1.2×); api with bare is reported.
A burst of back-to-back API intakes with and without pushes (nothing waited for between requests)
shows what the sender's work costs the requests it overlaps.
"""

import json
import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cases import events as case_events
from cases.choices import Channel, CustomerTier, Language
from cases.models import Category
from cases.services import case_event_record
from cases.services.creation import case_build, case_number_next
from complaints.models import Complaint, Customer, Product
from complaints.services import complaint_log

from .stats import pushes_off, pushes_sent, stopwatch, summary

BENCH_AGENT = "bench_agent"

ZH = (
    "王小明",
    "话费多扣两百元",
    "本月账单比平时多了两百元，客户没有使用额外业务，要求退费并解释原因。",
    "退还多扣的费用",
)
EN = ("John Smith", "Overcharged 200 on the bill", "This month's bill is 200 higher than usual; no extra services.",
      "Refund the overcharge")  # fmt: skip


def bench_agent():
    """The agent the intake and transition benchmarks act as (not one of the seeded owners)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=BENCH_AGENT, defaults={"first_name": "Bench", "last_name": "Agent"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name="agent"))
    token, _created = Token.objects.get_or_create(user=user)
    return user, token.key


class Payloads:
    """Realistic intake payloads, each with a new customer (phone and account never seen before)."""

    def __init__(self, tag, seed=7):
        self.rng = random.Random(seed)
        self.tag = tag
        self.n = 0
        self.categories = list(Category.objects.values_list("pk", flat=True))
        self.products = list(Product.objects.values_list("pk", flat=True))

    def __call__(self):
        self.n += 1
        rng = self.rng
        zh = rng.random() < 0.7
        name, summary, what, wish = ZH if zh else EN
        occurred = timezone.now() - timedelta(days=rng.randint(1, 20))
        return {
            "customer_name": name,
            "customer_phone": f"+1555{self.tag}{self.n:07d}",
            "account_number": f"BENCH{self.tag}{self.n:07d}",
            "tier": rng.choice(CustomerTier.values),
            "preferred_language": Language.CHINESE if zh else Language.ENGLISH,
            "channel": rng.choice(Channel.values),
            "summary": summary,
            "what_happened": what,
            "occurred_at": occurred.isoformat(),
            "disputed_item": "Monthly bill",
            "disputed_amount": "200.00",
            "desired_resolution": wish,
            "demand_reasonable": "yes",
            "category": rng.choice(self.categories),
            "product": rng.choice(self.products),
        }


def _api(client, payload):
    response = client.post("/api/complaints/", data=json.dumps(payload), content_type="application/json")
    if response.status_code != 201:
        raise RuntimeError(f"intake answered {response.status_code}: {response.content[:300]!r}")
    return response


def _service(user, payload):
    complaint_log(actor=user, data=payload)


def _rows(user, payload, number=None):
    """The three rows; with history, the counter and the event when `number` is None (the writes path)."""
    now = timezone.now()
    history = number is None

    def save(obj):
        if history:
            obj._history_user = user
            obj.save()
        else:
            obj.save_without_historical_record()

    with transaction.atomic():
        customer = Customer(
            name=payload["customer_name"],
            phone=payload["customer_phone"],
            account_number=payload["account_number"],
            tier=payload["tier"],
            preferred_language=payload["preferred_language"],
            created_at=now,
        )
        save(customer)
        case = case_build(
            number=case_number_next(timezone.localtime(now).year) if history else number,
            owner=user,
            summary=payload["summary"],
            channel=payload["channel"],
            customer_name=customer.name,
            customer_phone=customer.phone,
            customer_tier=customer.tier,
            customer_language=customer.preferred_language,
            at=now,
        )
        save(case)
        complaint = Complaint(
            case=case,
            customer=customer,
            logged_by=user,
            logged_at=now,
            channel=payload["channel"],
            summary=payload["summary"],
            what_happened=payload["what_happened"],
            occurred_at=datetime.fromisoformat(payload["occurred_at"]),
            disputed_item=payload["disputed_item"],
            disputed_amount=Decimal(payload["disputed_amount"]),
            desired_resolution=payload["desired_resolution"],
            demand_reasonable=payload["demand_reasonable"],
            category_id=payload["category"],
            product_id=payload["product"],
        )
        save(complaint)
        if history:
            case_event_record(
                case=case,
                kind=case_events.LOGGED,
                actor=user,
                to_state=case.state,
                payload={"channel": payload["channel"], "customer_new": True},
                at=now,
            )


PATHS = ("api", "api_nopush", "service", "writes", "bare")


def _api_nopush(client, payload):
    with pushes_off():
        return _api(client, payload)


def _burst(client, payloads, n, log):
    """`n` API intakes back to back, pushes on then off, nothing waited for in between: mean ms."""
    result = {}
    for path, send in (("on", _api), ("off", _api_nopush)):
        batch = [payloads() for _ in range(n)]
        pushes_sent()
        times = []
        for payload in batch:
            with stopwatch(times):
                send(client, payload)
        pushes_sent()
        result[path] = summary(times)
    result["ratio"] = result["on"]["mean"] / result["off"]["mean"]
    log(f"    burst of {n}: pushes on {result['on']['mean']:.2f} ms, off {result['off']['mean']:.2f} ms mean")
    return result


def measure(*, n=500, warmup=50, tag="0", log=print):
    """The paths interleaved, `warmup` untimed rounds then `n` timed ones."""
    user, token = bench_agent()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    payloads = {path: Payloads(f"{i + 1}{tag}", seed=7 + i) for i, path in enumerate(PATHS)}
    numbers = (f"BENCH-{tag}-{i:07d}" for i in range(1, 10**7))
    run = {
        "api": lambda p: _api(client, p),
        "api_nopush": lambda p: _api_nopush(client, p),
        "service": lambda p: _service(user, p),
        "writes": lambda p: _rows(user, p),
        "bare": lambda p: _rows(user, p, next(numbers)),
    }
    times = {path: [] for path in PATHS}
    drain_ms = []
    for i in range(warmup + n):
        for path in PATHS:
            payload = payloads[path]()
            with stopwatch(times[path] if i >= warmup else []):
                run[path](payload)
            if path == "api":
                pushes_sent(drain_ms if i >= warmup else None)
    result = {"n": n, "drain": summary(drain_ms)}
    for path in PATHS:
        with CaptureQueriesContext(connection) as ctx:
            run[path](payloads[path]())
        queries = list(ctx.captured_queries)  # read now: the next request clears the log
        stats = summary(times[path])
        stats["per_s"] = 1000 / stats["mean"]
        stats["queries"] = len(queries)
        stats["sql"] = [q["sql"] for q in queries]
        result[path] = stats
        log(
            f"    {path:<8} {stats['per_s']:7.1f}/s  p50 {stats['p50']:6.1f} ms  p95 {stats['p95']:6.1f} ms  "
            f"{stats['queries']} queries"
        )
    result["ratio"] = result["api"]["mean"] / result["bare"]["mean"]
    result["ratio_p50"] = result["api"]["p50"] / result["bare"]["p50"]
    result["push_ratio"] = result["api"]["mean"] / result["api_nopush"]["mean"]
    result["push_ratio_p50"] = result["api"]["p50"] / result["api_nopush"]["p50"]
    log(
        f"    API/bare {result['ratio']:.2f}x; API pushes on/off {result['push_ratio_p50']:.2f}x p50, "
        f"{result['push_ratio']:.2f}x mean"
    )
    result["burst"] = _burst(client, payloads["api"], min(n, 200), log)
    return result
