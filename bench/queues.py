"""Queue pages: latency (time around Django's test client, in process) and SQL queries per request.

Pages: the agent's "my cases", the supervisor's all-open queue unfiltered and filtered, and the
API list; each first page and a deep page reached by following the "next" links.
"""

import html
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from .stats import stopwatch, summary

AGENT = "agent_seed_1"
SUPERVISOR = "supervisor_seed_1"
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')

# (name, who, path, kind)
PAGES = [
    ("Agent: my cases (/cases/?scope=mine)", "agent", "/cases/?scope=mine", "html"),
    ("Supervisor: all open (/cases/?scope=all)", "supervisor", "/cases/?scope=all", "html"),
    ("Supervisor: all open, priority=1", "supervisor", "/cases/?scope=all&priority=1", "html"),
    ("Supervisor: all open, tier=vip", "supervisor", "/cases/?scope=all&tier=vip", "html"),
    ("API: GET /api/cases/", "api", "/api/cases/", "api"),
]


@dataclass
class PageResult:
    name: str
    page: str  # "first" or "deep"
    url: str
    depth: int  # 1-based page number
    p50: float
    p95: float
    mean: float
    n: int
    queries: int
    rows: int
    sql: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.name} — {self.page}"


def clients():
    User = get_user_model()
    agent = User.objects.get(username=AGENT)
    supervisor = User.objects.get(username=SUPERVISOR)
    agent_client, supervisor_client = Client(), Client()
    agent_client.force_login(agent)
    supervisor_client.force_login(supervisor)
    token, _created = Token.objects.get_or_create(user=supervisor)
    api_client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    return {"agent": agent_client, "supervisor": supervisor_client, "api": api_client}


def _get(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _next_url(response, kind, url):
    if kind == "api":
        nxt = response.json()["next"]
        return nxt.replace("http://testserver", "") if nxt else None
    match = NEXT_LINK.search(response.content.decode())
    if not match:
        return None
    return url.split("?", 1)[0] + html.unescape(match.group(1))


def _rows(response, kind):
    if kind == "api":
        return len(response.json()["results"])
    return response.content.decode().count('<tr class="p')


def _deep(client, kind, url, depth):
    """Follow "next" up to depth-1 times; returns (url, page number reached)."""
    page = 1
    current = url
    response = _get(client, current)
    while page < depth:
        nxt = _next_url(response, kind, current)
        if not nxt:
            break
        current = nxt
        response = _get(client, current)
        page += 1
    return current, page


def _measure(client, url, samples, warmup):
    for _ in range(warmup):
        _get(client, url)
    times = []
    for _ in range(samples):
        with stopwatch(times):
            client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = _get(client, url)
    return summary(times), list(ctx.captured_queries), response


def measure(*, samples=100, warmup=10, depth=200, log=print):
    results = []
    all_clients = clients()
    for name, who, path, kind in PAGES:
        client = all_clients[who]
        deep_url, reached = _deep(client, kind, path, depth)
        for label, url, page_no in (("first", path, 1), ("deep", deep_url, reached)):
            stats, queries, response = _measure(client, url, samples, warmup)
            result = PageResult(
                name=name,
                page=label,
                url=url,
                depth=page_no,
                p50=stats["p50"],
                p95=stats["p95"],
                mean=stats["mean"],
                n=stats["n"],
                queries=len(queries),
                rows=_rows(response, kind),
                sql=[q["sql"] for q in queries],
            )
            results.append(result)
            log(
                f"    {result.key:<55} page {page_no:>4}  p50 {stats['p50']:7.1f} ms  p95 {stats['p95']:7.1f} ms  "
                f"{len(queries)} queries  {result.rows} rows"
            )
    return results


def explain(results, *, log=print):
    """EXPLAIN (ANALYZE, BUFFERS) of every query on cases_case the pages ran: {sql: plan text}."""
    plans = {}
    for result in results:
        for sql in result.sql:
            if '"cases_case"' not in sql or sql in plans or not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plans[sql] = "\n".join(row[0] for row in cursor.fetchall())
    log(f"    {len(plans)} query plans captured")
    return plans
