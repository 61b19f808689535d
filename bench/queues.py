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

from cases.models import Case
from complaints.models import Customer

from .intake import Payloads, _service, bench_agent
from .stats import stopwatch, summary

AGENT = "agent_seed_1"
SUPERVISOR = "supervisor_seed_1"
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')
PAGE_SIZE = 25  # the queue's default

# (name, who, path, kind)
PAGES = [
    ("Agent: my cases (/cases/?scope=mine)", "agent", "/cases/?scope=mine", "html"),
    ("Supervisor: all open (/cases/?scope=all)", "supervisor", "/cases/?scope=all", "html"),
    ("Supervisor: all open, priority=1", "supervisor", "/cases/?scope=all&priority=1", "html"),
    ("Supervisor: all open, tier=vip", "supervisor", "/cases/?scope=all&tier=vip", "html"),
    ("API: GET /api/cases/", "api", "/api/cases/", "api"),
    # Least time left first (issue 8): the agent's own open cases and everyone's.
    ("Agent: my cases by time left (sort=deadline)", "agent", "/cases/?scope=mine&sort=deadline", "html"),
    ("Supervisor: all open by time left (sort=deadline)", "supervisor", "/cases/?scope=all&sort=deadline", "html"),
    # Searches anywhere in the name, summary or phone (issue 7), over every status: a given name, a
    # word in one summary in sixteen, a phone's last digits. The name and the digits are those of
    # the bench's own customers (search_targets_ensure), found at every size.
    (
        "Search q=小明 (given name), all statuses",
        "supervisor",
        "/cases/?scope=all&status=all&q=%E5%B0%8F%E6%98%8E",
        "html",
    ),
    (
        "Search q=宽带 (summary word), all statuses",
        "supervisor",
        "/cases/?scope=all&status=all&q=%E5%AE%BD%E5%B8%A6",
        "html",
    ),
    ("Search q=5678 (phone's last digits), all statuses", "supervisor", "/cases/?scope=all&status=all&q=5678", "html"),
]
# Not targets: other filters and searches the queue offers, first page only, at the larger size.
EXTRA_PAGES = [
    ("All open, tier=vip, sort=newest", "supervisor", "/cases/?scope=all&tier=vip&sort=newest", "html"),
    ("All open, tier=gold, priority=1", "supervisor", "/cases/?scope=all&tier=gold&priority=1", "html"),
    ("Ended, tier=vip", "supervisor", "/cases/?scope=all&status=ended&tier=vip", "html"),
    ("All statuses, tier=vip", "supervisor", "/cases/?scope=all&status=all&tier=vip", "html"),
    ("State = new", "supervisor", "/cases/?scope=all&status=new", "html"),
    ("Ended", "supervisor", "/cases/?scope=all&status=ended", "html"),
    ("Search q=C-2025-000123 (case number)", "supervisor", "/cases/?scope=all&status=all&q=C-2025-000123", "html"),
    ("Search q=1380 (phone prefix)", "supervisor", "/cases/?scope=all&q=1380", "html"),
    ("Search q=Broadband (summary word)", "supervisor", "/cases/?scope=all&status=all&q=Broadband", "html"),
    ("Search q=Smith (name)", "supervisor", "/cases/?scope=all&q=Smith", "html"),
    ("Search q=王 (1 Chinese character)", "supervisor", "/cases/?scope=all&q=%E7%8E%8B", "html"),
    ("Search q=王伟 (2 Chinese characters)", "supervisor", "/cases/?scope=all&q=%E7%8E%8B%E4%BC%9F", "html"),
    ("Search q=王伟, ended", "supervisor", "/cases/?scope=all&status=ended&q=%E7%8E%8B%E4%BC%9F", "html"),
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


# The given-name and last-digits searches find at least two full pages at every size, so that 10k and
# 1M compare the same work (a page of rows, a deep page) — not an empty answer at 10k, where no seeded
# name has 小明 and no seeded phone ends in 5678, with a full page at 1M (where the intake benches'
# customers, all named 王小明, have been added by then).
SEARCH_NAME, SEARCH_DIGITS = "王小明", "5678"
SEARCH_TARGET_CASES = 2 * PAGE_SIZE


def search_targets_ensure():
    """Setup, not timed: SEARCH_TARGET_CASES complaints from customers named SEARCH_NAME whose phone
    ends in SEARCH_DIGITS, logged through the intake service by the bench's agent (idempotent)."""
    made = Customer.objects.filter(name=SEARCH_NAME, phone__endswith=SEARCH_DIGITS)
    missing = SEARCH_TARGET_CASES - Case.objects.filter(complaints__customer__in=made).distinct().count()
    user, _token = bench_agent()
    payloads = Payloads(tag="S")
    for n in range(max(0, missing)):
        payload = payloads()
        payload.update(customer_name=SEARCH_NAME, customer_phone=f"+86139{n:04d}{SEARCH_DIGITS}")
        _service(user, payload)


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
    """Follow "next" up to depth-1 times; returns (url, page number) of the deepest *full* page seen,
    so a short last page does not make the deep page look cheaper than it is at another size."""
    page, current = 1, url
    response = _get(client, current)
    best = (current, page)
    while page < depth:
        nxt = _next_url(response, kind, current)
        if not nxt:
            break
        current, page = nxt, page + 1
        response = _get(client, current)
        if _rows(response, kind) == PAGE_SIZE:
            best = (current, page)
    return best


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


def measure(*, pages=None, samples=100, warmup=10, depth=200, log=print):
    """Each page first and deep (`depth` > 1), or first only (`depth` == 1)."""
    results = []
    search_targets_ensure()
    all_clients = clients()
    for name, who, path, kind in PAGES if pages is None else pages:
        client = all_clients[who]
        variants = [("first", path, 1)]
        if depth > 1:
            variants.append(("deep", *_deep(client, kind, path, depth)))
        for label, url, page_no in variants:
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
