"""Transition latency: "accept" on fresh "new" cases, through the service and through the API.

Fresh cases are logged first through the real intake service (not timed). The service path times
`case_transition(...)` alone (the case is loaded before the clock starts, as a view would have
done); the API path times POST /api/cases/{id}/transitions/accept/ through Django's test client with
token auth, in process: loading the case, the transition, and the detail it answers with.
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
from .stats import stopwatch, summary


def _evidence():
    return {
        "first_contact_at": (timezone.now() - timedelta(minutes=4)).isoformat(),
        "customer_words": "你们凭什么多扣我两百块！我要一个说法。",
    }


def _fresh_cases(user, n, tag):
    payloads = Payloads(f"3{tag}", seed=9)
    return [complaint_log(actor=user, data=payloads())[0].case_id for _ in range(n)]


def measure(*, n=200, warmup=20, tag="0", log=print):
    user, token = bench_agent()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    ids = _fresh_cases(user, 2 * (n + warmup) + 2, tag)
    service_ids, api_ids = ids[: n + warmup + 1], ids[n + warmup + 1 :]

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

    api_ms = []
    for i, pk in enumerate(api_ids):
        url = f"/api/cases/{pk}/transitions/accept/"
        body = json.dumps(_evidence())

        def post(url=url, body=body):
            response = client.post(url, data=body, content_type="application/json")
            if response.status_code != 200:
                raise RuntimeError(f"POST {url} answered {response.status_code}: {response.content[:300]!r}")

        if i == len(api_ids) - 1:
            with CaptureQueriesContext(connection) as ctx:
                post()
            api_queries = list(ctx.captured_queries)
            break
        with stopwatch([] if i < warmup else api_ms):
            post()

    service, api = summary(service_ms), summary(api_ms)
    service["queries"], api["queries"] = len(service_queries), len(api_queries)
    if Case.objects.filter(pk__in=ids, state="accepted").count() != len(ids):
        raise RuntimeError("some benchmark transitions did not happen")
    log(
        f"    service p50 {service['p50']:6.1f} ms  p95 {service['p95']:6.1f} ms  {service['queries']} queries\n"
        f"    API     p50 {api['p50']:6.1f} ms  p95 {api['p95']:6.1f} ms  {api['queries']} queries"
    )
    return {"service": service, "api": api, "n": n}
