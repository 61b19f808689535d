"""The escalation desk (issue 9): its queue on a full database, and what the escalation rules add to
an intake with 50 active rules.

Setup (not timed): open escalations on 5% of the cases (50k at 1M), the mix of levels, states and
tiers the seeded data gives, a fifth of their cases tagged with a customer type; bulk-inserted, as
seed_cases inserts the cases (a benchmark's data, not a user's step: no history, no events). Then
the active rules are topped up to 50 with rules an admin might add (thresholds, channels, tiers,
types), every one needing the case's facts.

- Desk queue: the desk page and `GET /api/escalations/`, first page and a deep page (followed by
  `rel="next"` / `next`), the default order and each filter; queries counted per page.
- Rules on intake: `rules_evaluate(case, moment="intake")` on freshly logged cases, each in a
  savepoint rolled back: on complaints no rule holds for (standard or silver customers by phone or
  web: what the rules themselves cost) and on ones where rules hold (a VIP, a regulator, a court:
  with the escalation they open, its event and who is told); and the intake service itself
  (`complaint_log`, the first kind of complaint) with the 50 rules active against all switched off,
  interleaved.
"""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.reference import forget_local_rows
from complaints.services import complaint_log
from escalation.choices import EscalationLevel, EscalationState
from escalation.models import CaseCustomerType, CustomerType, Escalation, EscalationRule
from escalation.rules import Moment, rules_evaluate

from .intake import Payloads, bench_agent
from .queues import PAGE_SIZE, _next_url
from .stats import stopwatch, summary

DESK_USER = "bench_desk"
ESCALATED_SHARE = 0.05
TAGGED_SHARE = 0.2
ACTIVE_RULES = 50
PAGES = {
    "Desk page — most urgent first": "/escalation/",
    "Desk page — L3 only": "/escalation/?level=3",
    "Desk page — legal type": "/escalation/?type=legal",
    "Desk page — regulator channel": "/escalation/?channel=regulator",
    "Desk page — by deadline": "/escalation/?sort=deadline",
    "API — most urgent first": "/api/escalations/",
    "API — legal type": "/api/escalations/?type=legal",
}


def _desk_user():
    user, created = get_user_model().objects.get_or_create(
        username=DESK_USER, defaults={"first_name": "Bench", "last_name": "Desk"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name="escalation_desk"))
    return user


def _seed_escalations(desk, rng):
    """Open escalations on ESCALATED_SHARE of the open cases that have none yet (setup, untimed)."""
    wanted = (
        int(Case.objects.count() * ESCALATED_SHARE)
        - Escalation.objects.filter(state__in=("requested", "accepted")).count()
    )
    if wanted <= 0:
        return 0
    escalated = Escalation.objects.values("case_id")
    cases = list(
        Case.objects.filter(is_open=True)
        .exclude(pk__in=escalated)
        .order_by("?")
        .values_list("pk", "customer_tier", "channel", "created_at")[:wanted]
    )
    types = list(CustomerType.objects.all())
    rows, tags = [], []
    for pk, tier, channel, created_at in cases:
        level = rng.choices(EscalationLevel.values, weights=(3, 6, 1))[0]
        accepted = rng.random() < 0.4
        escalation = Escalation(
            case_id=pk, level=level, channel=channel, reason="bench", trigger="rule:bench", requested_at=created_at,
            state=EscalationState.ACCEPTED if accepted else EscalationState.REQUESTED,
            accepted_by=desk if accepted else None, accepted_at=created_at if accepted else None,
        )  # fmt: skip
        escalation.rank(tier)
        rows.append(escalation)
        if rng.random() < TAGGED_SHARE:
            tags.append(
                CaseCustomerType(case_id=pk, customer_type=rng.choice(types), tagged_by=desk, tagged_at=created_at)
            )
    with transaction.atomic():
        Escalation.objects.bulk_create(rows, batch_size=5000)
        CaseCustomerType.objects.bulk_create(tags, batch_size=5000, ignore_conflicts=True)
        # The case's copy of its escalation's state, as the escalation services keep it (setup: in bulk).
        for state in (EscalationState.REQUESTED, EscalationState.ACCEPTED):
            ids = [row.case_id for row in rows if row.state == state]
            for start in range(0, len(ids), 5000):
                Case.objects.filter(pk__in=ids[start : start + 5000]).update(escalation_status=state)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE escalation_escalation")
        cursor.execute("ANALYZE escalation_casecustomertype")
        cursor.execute("ANALYZE cases_case")
    return len(rows)


def _top_up_rules(rng):
    """Rules an admin might add, until ACTIVE_RULES are active; each needs the case's facts."""
    types = list(CustomerType.objects.all())
    n = 0
    while EscalationRule.objects.filter(active=True).count() < ACTIVE_RULES:
        kind = n % 4
        rule = EscalationRule.objects.create(
            code=f"bench_{n}", name_zh=f"基准{n}", name_en=f"Bench {n}", reason_zh="基准", reason_en="bench",
            level=rng.choice(EscalationLevel.values), position=1000 + n,
            recent_complaints_at_least=5 + n if kind == 0 else None,
            missed_promises_at_least=3 + n if kind == 1 else None,
            channels=["letter"] if kind == 2 else [],
            tier_at_least="gold" if kind == 2 else "",
        )  # fmt: skip
        if kind == 3:
            rule.customer_types.set([rng.choice(types)])
        n += 1
    forget_local_rows()
    return n


def _rows(response, kind):
    return len(response.json()["results"]) if kind == "api" else response.content.decode().count('data-escalation="')


def _deep(client, kind, url, depth):
    """Follow "next" up to depth-1 times; (url, page) of the deepest full page seen (as bench/queues.py)."""
    page, current = 1, url
    response = client.get(current)
    best = (current, page)
    while page < depth:
        nxt = _next_url(response, kind, current)
        if not nxt:
            break
        current, page = nxt, page + 1
        response = client.get(current)
        if _rows(response, kind) == PAGE_SIZE:
            best = (current, page)
    return best


def _queue(client, url, samples, warmup, depth):
    kind = "api" if url.startswith("/api/") else "html"
    deep_url, deep_page = _deep(client, kind, url, depth)
    result = {}
    for which, target in (("first", url), ("deep", deep_url)):
        for _ in range(warmup):
            client.get(target)
        times = []
        for _ in range(samples):
            with stopwatch(times):
                response = client.get(target)
        assert response.status_code == 200, (target, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(target)
        result[which] = {**summary(times), "queries": len(ctx.captured_queries)}
    result["deep_page"] = deep_page
    return result


def _quiet(payloads, rng):
    """A complaint no seeded rule holds for: a standard or silver customer on an ordinary channel."""
    return {**payloads(), "tier": rng.choice(["standard", "silver"]), "channel": rng.choice(["phone", "web"])}


def _loud(payloads, rng):
    """One that makes rules hold (a VIP, a regulator or a court): an escalation is opened."""
    return {**payloads(), **rng.choice([{"tier": "vip"}, {"channel": "regulator"}, {"channel": "legal"}])}


def _evaluations(user, make, samples, warmup):
    """`rules_evaluate` on intake of freshly logged cases, each in a savepoint rolled back."""
    cases = [complaint_log(actor=user, data=make())[0].case for _ in range(samples + warmup)]
    times = []
    for i, case in enumerate(cases):
        with transaction.atomic():
            sid = transaction.savepoint()
            with stopwatch(times):
                rules_evaluate(case, moment=Moment.INTAKE)
            transaction.savepoint_rollback(sid)
        if i < warmup:
            times.pop()
    return summary(times)


def _rules_on_intake(samples, warmup):
    """Evaluation alone (where nothing holds: the rules' own cost; where rules hold: with the
    escalation they open), then the intake service with the rules on and all switched off."""
    rng = random.Random(11)
    user, _token = bench_agent()
    payloads = Payloads("9")
    result = {
        "evaluate": _evaluations(user, lambda: _quiet(payloads, rng), samples, warmup),
        "evaluate_firing": _evaluations(user, lambda: _loud(payloads, rng), samples, warmup),
    }
    active = list(EscalationRule.objects.filter(active=True).values_list("pk", flat=True))
    on, off = [], []
    for i in range(samples + warmup):
        for times, rules_on in ((on, True), (off, False)):
            EscalationRule.objects.filter(pk__in=active).update(active=rules_on)  # untimed switch
            forget_local_rows()
            complaint_log(actor=user, data=_quiet(payloads, rng))  # loads the rules, untimed
            with stopwatch(times):
                complaint_log(actor=user, data=_quiet(payloads, rng))
            if i < warmup:
                times.pop()
    EscalationRule.objects.filter(pk__in=active).update(active=True)
    forget_local_rows()
    result.update(intake_on=summary(on), intake_off=summary(off))
    return result


def measure(*, samples=100, warmup=10, depth=200, log=print):
    rng = random.Random(9)
    desk = _desk_user()
    seeded = _seed_escalations(desk, rng)
    added = _top_up_rules(rng)
    result = {
        "escalations": Escalation.objects.filter(state__in=("requested", "accepted")).count(),
        "cases": Case.objects.count(),
        "seeded": seeded,
        "rules": EscalationRule.objects.filter(active=True).count(),
        "rules_added": added,
    }
    log(f"    {result['escalations']:,} open escalations on {result['cases']:,} cases, {result['rules']} active rules")
    client = Client()
    client.force_login(desk)
    api = Client(HTTP_AUTHORIZATION=f"Token {_token_of(desk)}")
    result["pages"] = {}
    for name, url in PAGES.items():
        result["pages"][name] = _queue(api if url.startswith("/api/") else client, url, samples, warmup, depth)
        first, deep = result["pages"][name]["first"], result["pages"][name]["deep"]
        log(
            f"    {name}: first p95 {first['p95']:.1f} ms ({first['queries']} q), deep (page "
            f"{result['pages'][name]['deep_page']}) p95 {deep['p95']:.1f} ms ({deep['queries']} q)"
        )
    result["rules_on_intake"] = _rules_on_intake(samples, warmup)
    r = result["rules_on_intake"]
    log(
        f"    rules on intake: evaluation p95 {r['evaluate']['p95']:.2f} ms (with an escalation opened "
        f"{r['evaluate_firing']['p95']:.2f} ms); intake p95 {r['intake_on']['p95']:.1f} "
        f"ms with {result['rules']} rules, {r['intake_off']['p95']:.1f} ms with none"
    )
    return result


def _token_of(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key
