"""Transition latency: "accept" on fresh "new" cases, through the service and through the API.

Fresh cases are logged first through the real intake service (not timed). The service path times
`case_transition(...)` alone (the case is loaded before the clock starts, as a view would have
done); the API path times POST /api/cases/{id}/transitions/accept/ through Django's test client with
token auth, in process: loading the case, the transition, the hand-over of its pushes to the push
sender after commit, and the detail it answers with — interleaved with the same request with live
updates off (no channel layer), the baseline of the pushes target (≤ 1.2×).
"""

import json
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case
from cases.services import case_transition
from complaints.services import complaint_log

from .intake import Payloads, bench_agent
from .stats import pushes_off, pushes_sent, stopwatch, summary


def _evidence():
    return {
        "first_contact_at": (timezone.now() - timedelta(minutes=4)).isoformat(),
        "customer_words": "你们凭什么多扣我两百块！我要一个说法。",
    }


def _fresh_cases(user, n, tag):
    payloads = Payloads(f"3{tag}", seed=9)
    return [complaint_log(actor=user, data=payloads())[0].case_id for _ in range(n)]


def _post(client, pk, off=False):
    url = f"/api/cases/{pk}/transitions/accept/"
    body = json.dumps(_evidence())
    if off:
        with pushes_off():
            response = client.post(url, data=body, content_type="application/json")
    else:
        response = client.post(url, data=body, content_type="application/json")
    if response.status_code != 200:
        raise RuntimeError(f"POST {url} answered {response.status_code}: {response.content[:300]!r}")


def measure(*, n=200, warmup=20, tag="0", log=print):
    user, token = bench_agent()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    per_path = n + warmup + 1
    ids = _fresh_cases(user, 3 * per_path, tag)
    service_ids, api_ids, nopush_ids = ids[:per_path], ids[per_path : 2 * per_path], ids[2 * per_path :]

    service_ms = []
    for i, pk in enumerate(service_ids):
        case = Case.objects.get(pk=pk)
        if i == len(service_ids) - 1:
            with CaptureQueriesContext(connection) as ctx:
                case_transition(case=case, name="accept", actor=user, data=_evidence())
            service_queries = list(ctx.captured_queries)  # read now: the next request clears the log
            break
        timer = [] if i < warmup else service_ms
        with stopwatch(timer):
            case_transition(case=case, name="accept", actor=user, data=_evidence())
        pushes_sent()

    # The API with pushes on and off, interleaved; after a request with pushes, wait (untimed) until
    # they were sent so that they never run into the next request's timing.
    api_ms, nopush_ms, drain_ms = [], [], []
    for i, (pk, other) in enumerate(zip(api_ids, nopush_ids, strict=True)):
        if i == len(api_ids) - 1:
            with CaptureQueriesContext(connection) as ctx:
                _post(client, pk)
            api_queries = list(ctx.captured_queries)
            pushes_sent()
            _post(client, other, off=True)
            break
        timed = i >= warmup
        with stopwatch(api_ms if timed else []):
            _post(client, pk)
        pushes_sent(drain_ms if timed else None)
        with stopwatch(nopush_ms if timed else []):
            _post(client, other, off=True)

    service, api, nopush = summary(service_ms), summary(api_ms), summary(nopush_ms)
    service["queries"], api["queries"] = len(service_queries), len(api_queries)
    nopush["queries"] = api["queries"]
    if Case.objects.filter(pk__in=ids, state="accepted").count() != len(ids):
        raise RuntimeError("some benchmark transitions did not happen")
    push_ratio, push_ratio_p50 = api["mean"] / nopush["mean"], api["p50"] / nopush["p50"]
    log(
        f"    service p50 {service['p50']:6.1f} ms  p95 {service['p95']:6.1f} ms  {service['queries']} queries\n"
        f"    API     p50 {api['p50']:6.1f} ms  p95 {api['p95']:6.1f} ms  {api['queries']} queries\n"
        f"    API, pushes off p50 {nopush['p50']:6.1f} ms  p95 {nopush['p95']:6.1f} ms; "
        f"on/off {push_ratio_p50:.2f}x p50, {push_ratio:.2f}x mean"
    )
    return {
        "service": service,
        "api": api,
        "api_nopush": nopush,
        "drain": summary(drain_ms),
        "push_ratio": push_ratio,
        "push_ratio_p50": push_ratio_p50,
        "n": n,
    }
