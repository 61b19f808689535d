"""Every write endpoint under /api/ against every class of malformed input (issue 7).

The endpoints are the URL resolver's write routes under /api/, and what each reads is its OpenAPI
request schema, so a new endpoint is swept as soon as it exists (and fails here until it has a
setup below: a real object for its path and a body it accepts). Each field of the schema gets each
value of a class that can reach it: NUL and lone-surrogate text in every string, a value nested
1,000 deep and numbers no column holds (1e400, a 400-digit integer, NaN, ±Infinity) in every field,
dates and times outside the window every read handles in every date field, and values of the wrong
JSON type in every field and as the body itself. The value is put into a body the endpoint accepts
(`test_the_sweep_starts_from_a_body_each_endpoint_accepts`), so it is the only thing wrong. Each
answer must be a 4xx in the API's JSON error shape, and the database — every row of every table,
read back through the ORM — must be as it was.

Exempt, each for its reason:
- an operation with no request body in its schema reads none (DRF parses a body only when the view
  asks), so it does its one job whatever is sent: there the sweep asserts no 5xx, a JSON answer,
  and that no row holds a malformed value afterwards;
- a write route the schema leaves out is listed in NOT_IN_SCHEMA with why it reads no body, and
  is swept like the above;
- "digit_lookalike" text ("²") is valid in a free-text field, so a 2xx is allowed there, but never
  a 5xx, and whatever was taken must read back.
"""

import copy
import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from cases.business_calendar import next_business_slot
from cases.models import Case, Letter
from cases.services import case_transition
from cases.services.deadlines import case_clock_pause
from complaints.models import Customer
from core.inputs import range_problem, text_problem
from escalation.approvals import approval_decide
from escalation.escalations import escalation_accept, escalation_request
from escalation.models import CompensationApproval
from escalation.services import case_customer_type_tag
from notifications.events import event_types
from notifications.services import notify
from tests.factories import PATH_TO, UserFactory, case_in_state, evidence, intake_data, log_case, promises_keep

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")
PASSWORD = "pw-for-tests-123"  # tests/factories.py
MARK = "@@MALFORMED@@"


# --- what the schema says -------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in the schema: /api/cases/{id}/transitions/accept/
    body: dict | None  # the resolved JSON request schema; None: the operation takes no body

    def __str__(self):
        return f"{self.method.upper()} {self.path}"


def _resolve(node, components):
    """The schema node itself, with $ref and single-branch allOf/oneOf (enums, nullable) followed."""
    while True:
        if "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[1]]
        elif "allOf" in node or "oneOf" in node:
            branches = [b for b in node.get("allOf", node.get("oneOf")) if "NullEnum" not in b.get("$ref", "")]
            node = {**{k: v for k, v in node.items() if k not in ("allOf", "oneOf")}, **branches[0]}
        else:
            return node


def _kind(node, components):
    node = _resolve(node, components)
    kind = node.get("type", "string")
    if kind == "string":
        return {"date-time": "datetime", "date": "date", "decimal": "decimal"}.get(node.get("format"), "text")
    if kind == "array":
        return "records" if _kind(node["items"], components) == "object" else "array"
    return kind  # integer, number, boolean, object


def _fields(node, components, prefix=()):
    """(path, kind) for every field of a request schema, the items of lists and records included."""
    for name, prop in _resolve(node, components).get("properties", {}).items():
        path, kind = (*prefix, name), _kind(prop, components)
        yield path, kind
        if kind in ("array", "records"):
            items = _resolve(prop, components)["items"]
            yield (*path, 0), _kind(items, components)
            if kind == "records":
                yield from _fields(items, components, (*path, 0))


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), getattr(pattern.callback, "view_class", None)


def _schema_path(route):
    """api/cases/<int:pk>/assign/ → /api/cases/{id}/assign/, as drf-spectacular names it."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{id}" if m[1] == "pk" else f"{{{m[1]}}}", route)


def _write_operations():
    """Every write route under /api/ the URL resolver knows, with its request schema if documented."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    bodies = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            bodies[method, path] = None if body is None else {"fields": list(_fields(body, components))}
    return [
        Operation(method, _schema_path(route), bodies.get((method, _schema_path(route))))
        for route, view in _routes(get_resolver().url_patterns)
        if route.startswith("api/") and view is not None
        for method in WRITE_METHODS
        if hasattr(view, method)
    ], bodies


OPERATIONS, DOCUMENTED = _write_operations()
# Write routes the schema leaves out, each with why it reads no body.
NOT_IN_SCHEMA = {
    "POST /api/cases/{id}/transitions/{name}/": "the route of a step that has none of its own: it answers 404 "
    "before it reads a body (every real step has its own route, swept with its own schema)",
}


# --- the malformed classes ------------------------------------------------------------------------

STRING_KINDS = {"text", "datetime", "date", "decimal"}
ANY_KIND = None
DEEP = "[" * 1000 + "]" * 1000

# class -> kind of field -> raw JSON put in that field's place (ANY_KIND: every field)
CLASSES = {
    "nul": {kind: ['"a\\u0000b"'] for kind in STRING_KINDS},
    "lone_surrogate": {kind: ['"\\ud800"', '"a\\udfffb"'] for kind in STRING_KINDS},
    "deep_nesting": {ANY_KIND: [DEEP]},
    "huge_number": {ANY_KIND: ["1e400", "-1e400", "1" + "0" * 400, "-" + "1" * 400, "NaN", "Infinity", "-Infinity"]},
    "date_out_of_range": {
        "datetime": [
            '"0001-01-01T00:00:00"',
            '"0001-01-01T00:00:00+23:59"',  # no UTC equivalent
            '"9999-12-31T23:59:59"',
            '"9999-12-31T23:59:59-23:59"',  # past the last year Python has
            '"1969-12-31T23:59:59Z"',
            '"2100-01-01T00:00:00-08:00"',
            '"2026-02-30T10:00:00"',
            '"2026-01-01T00:00:00+24:00"',
        ],
        "date": ['"0001-01-01"', '"9999-12-31"', '"1899-12-31"', '"2100-01-01"', '"2026-02-30"'],
    },
    "wrong_type": {
        "text": ['{"a": "b"}', '["a"]', "{}", "[]", "true", "12"],
        "datetime": ['{"a": "b"}', '["2026-01-01T00:00:00Z"]', "true", "20260101"],
        "date": ['{"a": "b"}', '["2026-01-01"]', "true", "20260101"],
        "decimal": ['{"a": "1"}', '["1"]', "true"],
        "integer": ['"many"', '"²"', '"1' + "0" * 30 + '"', "1.5", "true", '{"a": 1}', "[1]", "[]"],
        "boolean": ['"maybe"', "2", '{"a": true}', "[true]", "[]"],
        "array": ['"a"', '{"a": "b"}', "1", "true"],
        "records": ['"a"', '{"a": "b"}', "1", "true", '["a"]', "[[]]"],
        "object": ['"a"', "1", "true", "[]"],
    },
    # "²" is a digit to str.isdigit() but not to int(): a text field that names a row by id or code
    # must refuse it, while a free-text field may keep it — so only: no 5xx, JSON, and a 4xx changes
    # nothing (LENIENT below).
    "digit_lookalike": {"text": ['"²"', '"1²"']},
}
LENIENT = {"digit_lookalike"}
# Bodies that are not objects at all: no operation takes one.
WRONG_BODIES = {
    "wrong_type": ["[]", '["a"]', '"a"', "1", "true", "null"],
    "deep_nesting": ['{"a": ' * 1000 + "1" + "}" * 1000],
}
# Keys are text too.
KEY_PROBES = {"nul": "a\x00b", "lone_surrogate": "\ud800"}


def _with_mark(body, path):
    """A copy of `body` with MARK at `path`, creating the list item or record on the way if absent."""
    body = copy.deepcopy(body)
    node = body
    for step, following in zip(path, (*path[1:], None), strict=True):
        if following is None:
            break
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
        elif not isinstance(node.get(step), (dict, list)):
            node[step] = [] if isinstance(following, int) else {}
        node = node[step]
    if isinstance(path[-1], int):
        while len(node) <= path[-1]:
            node.append(None)
    node[path[-1]] = MARK
    return body


def _label(path):
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path).lstrip(".")


def probes(operation, base, cls):
    """(where, raw JSON body) for every place class `cls` can reach in `operation`'s body."""
    table = CLASSES[cls]
    for path, kind in operation.body["fields"]:
        for value in table.get(kind, []) + table.get(ANY_KIND, []):
            text = json.dumps(_with_mark(base, path)).replace(json.dumps(MARK), value)
            yield f"{_label(path)} = {value[:40]}", text
    for value in WRONG_BODIES.get(cls, []):
        yield f"the body = {value[:40]}", value
    if cls in KEY_PROBES:
        yield f"a key: {KEY_PROBES[cls]!r}", json.dumps({**base, KEY_PROBES[cls]: "x"})


# What is sent to an operation that takes no body: a body with a field of each kind.
STAND_IN = {"fields": [(("text",), "text"), (("number",), "integer"), (("at",), "datetime")]}


def applicable(operation, cls):
    swept = operation if operation.body is not None else _stand_in(operation)
    return any(True for _ in probes(swept, {}, cls))


def _stand_in(operation):
    return Operation(operation.method, operation.path, STAND_IN)


# --- a real object for each endpoint, and a body it accepts ---------------------------------------


@dataclass
class Target:
    client: APIClient
    url: str
    body: dict | None  # None: the operation reads no body
    answer: range = range(200, 300)  # what it answers to `body` (or to no body)


def client_for(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def _step_state(step):
    """The state a case is put in for `step`: the nearest one the step starts from."""
    sources = getattr(Case, step)._django_fsm.transitions
    return min((state for state in PATH_TO if state in sources), key=lambda state: len(PATH_TO[state]))


def _token(people, match):
    return Target(client_for(), "/api/auth/token/", {"username": people["supervisor"].username, "password": PASSWORD})


def _complaint(people, match):
    return Target(client_for(people["supervisor"]), "/api/complaints/", intake_data())


def _customer_correct(people, match):
    log_case(people["agent"])
    customer = Customer.objects.get()
    return Target(
        client_for(people["desk"]), f"/api/customers/{customer.pk}/correct/", {"name": "王大明", "reason": "证件为准"}
    )


def _assign(people, match):
    case = log_case(people["agent"])
    return Target(client_for(people["supervisor"]), f"/api/cases/{case.pk}/assign/", {"owner": people["desk"].pk})


def _transition(people, match):
    step = match["step"]
    case = case_in_state(_step_state(step), owner=people["agent"], supervisor=people["supervisor"])
    if step == "assure":
        promises_keep(case, people["agent"])  # what Assure depends on, so only the bad value can refuse it
    return Target(client_for(people["supervisor"]), f"/api/cases/{case.pk}/transitions/{step}/", evidence(step, case))


def _unknown_step(people, match):
    case = log_case(people["agent"])
    return Target(
        client_for(people["supervisor"]), f"/api/cases/{case.pk}/transitions/teleport/", None, range(404, 405)
    )


def _agreed_follow_up(people):
    case = case_in_state("agreed", owner=people["agent"], supervisor=people["supervisor"])
    return case.promises.get(kind="follow_up")


def _promise_make(people, match):
    case = log_case(people["agent"])
    due = next_business_slot(timezone.now() + dt.timedelta(days=1)).isoformat()
    body = {"kind": "progress_update", "due_at": due, "description": "告知进展", "phone": "13800000000"}
    body["customer_chose_time"] = False
    return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/promises/", body)


PROMISE_BODIES = {
    "call": lambda: {"reached": False, "outcome": "无人接听"},
    "reschedule": lambda: {
        "due_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        "by_customer": True,
        "reason": "客户改约",
    },
    "cancel": lambda: {"reason": "客户不需要了"},
}


def _promise_action(people, match):
    promise = _agreed_follow_up(people)
    action = match["action"]
    return Target(client_for(people["agent"]), f"/api/promises/{promise.pk}/{action}/", PROMISE_BODIES[action]())


def _clock(people, match):
    case = log_case(people["agent"])
    if match["action"] == "resume":
        case_clock_pause(case=case, actor=people["agent"], data={"reason": "等客户提供发票"})
        return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/clock/resume/", None)
    return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/clock/pause/", {"reason": "等客户提供发票"})


def _customer_type_tag(people, match):
    case = log_case(people["agent"])
    return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/customer-types/", {"customer_type": "legal"})


def _customer_type_remove(people, match):
    case = log_case(people["agent"])
    case_customer_type_tag(case=case, actor=people["agent"], data={"customer_type": "legal"})
    return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/customer-types/legal/remove/", {"reason": "误标"})


def _escalation_request(people, match):
    case = log_case(people["agent"])
    return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/escalations/", {"level": 2, "reason": "要求升级"})


def _escalation_action(people, match):
    case = log_case(people["agent"])
    escalation = escalation_request(case=case, actor=people["agent"], data={"level": 2, "reason": "要求升级"})
    if match["action"] in ("resolve", "return"):
        escalation_accept(escalation=escalation, actor=people["desk"])
    body = None if match["action"] == "accept" else {"outcome": "已处理"}
    return Target(client_for(people["desk"]), f"/api/escalations/{escalation.pk}/{match['action']}/", body)


def _offered_above_the_agents_limit(people):
    """A case where the agent offered ¥300 (above their ¥50): the offer opened an approval request."""
    case = case_in_state("analyzed", owner=people["agent"])
    options = [
        {"action": "退费", "benefit": "退回多扣", "compensation": "20"},
        {"action": "补偿", "benefit": "补偿损失", "compensation": "300"},
    ]
    case_transition(case=case, name="offer_alternatives", actor=people["agent"], data={"options": options})
    case.refresh_from_db()
    return case


def _approval_request(people, match):
    case = _offered_above_the_agents_limit(people)
    approval_decide(  # the automatic request, rejected: a new one is accepted
        approval=CompensationApproval.objects.get(case=case),
        actor=people["supervisor"],
        data={"decision": "reject", "reason": "先给低方案"},
    )
    return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/approvals/", {"option": 2, "reason": "客户坚持"})


def _approval_decide(people, match):
    approval = CompensationApproval.objects.get(case=_offered_above_the_agents_limit(people))
    return Target(
        client_for(people["supervisor"]),
        f"/api/approvals/{approval.pk}/decide/",
        {"decision": "approve", "reason": "同意"},
    )


def _churn_flag(people, match):
    case = log_case(people["agent"], summary="客户说要携号转网")
    return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/churn-flag/", {"source": "customer_words"})


def _escalation_raise(people, match):
    escalation = escalation_request(
        case=log_case(people["agent"]), actor=people["agent"], data={"level": 2, "reason": "要求升级"}
    )
    return Target(
        client_for(people["desk"]), f"/api/escalations/{escalation.pk}/raise/", {"level": 3, "reason": "已起诉"}
    )


def _escalation_hand_over(people, match):
    escalation = escalation_request(
        case=log_case(people["agent"]), actor=people["agent"], data={"level": 2, "reason": "要求升级"}
    )
    body = {"to": people["desk"].pk, "note": "交给你"}
    return Target(client_for(people["supervisor"]), f"/api/escalations/{escalation.pk}/hand-over/", body)


def _letter_request(people, match):
    case = case_in_state("agreed", owner=people["agent"])
    return Target(client_for(people["agent"]), f"/api/cases/{case.pk}/letters/", {"language": "en"})


def _letter_in(state, people):
    # A version as the render task leaves it (the task runs after commit, which a test never does).
    case = case_in_state("agreed", owner=people["agent"])
    done = {"sha256": "0" * 64, "size": 1, "template_version": "test"} if state == "ready" else {"error": "x"}
    return Letter.objects.create(case=case, version=1, language="en", requested_by=people["agent"], state=state, **done)


def _letter_batch(people, match):
    case = case_in_state("agreed", owner=people["agent"])
    return Target(client_for(people["agent"]), "/api/letter-batches/", {"cases": [case.pk], "language": ""})


def _letter_retry(people, match):
    letter = _letter_in("failed", people)
    return Target(client_for(people["agent"]), f"/api/letters/{letter.pk}/retry/", None)


def _letter_send(people, match):
    letter = _letter_in("ready", people)
    return Target(client_for(people["agent"]), f"/api/letters/{letter.pk}/send/", {"override_reason": ""})


def _notification(people, user):
    return notify("message", recipients=[user], text="测试消息", key="sweep")[0]


def _mark_read(people, match):
    notification = _notification(people, people["supervisor"])
    return Target(client_for(people["supervisor"]), f"/api/notifications/{notification.pk}/read/", None)


def _mark_all_read(people, match):
    _notification(people, people["supervisor"])
    return Target(client_for(people["supervisor"]), "/api/notifications/read-all/", None)


def _preferences(people, match):
    return Target(
        client_for(people["supervisor"]), "/api/notifications/preferences/", {"email": [next(iter(event_types()))]}
    )


SETUPS = {
    r"POST /api/auth/token/": _token,
    r"POST /api/complaints/": _complaint,
    r"POST /api/customers/\{id\}/correct/": _customer_correct,
    r"POST /api/cases/\{id\}/assign/": _assign,
    r"POST /api/cases/\{id\}/transitions/(?P<step>\w+)/": _transition,
    r"POST /api/cases/\{id\}/transitions/\{name\}/": _unknown_step,
    r"POST /api/cases/\{id\}/promises/": _promise_make,
    r"POST /api/cases/\{id\}/clock/(?P<action>pause|resume)/": _clock,
    r"POST /api/cases/\{id\}/customer-types/": _customer_type_tag,
    r"POST /api/cases/\{id\}/churn-flag/": _churn_flag,
    r"POST /api/cases/\{id\}/escalations/": _escalation_request,
    r"POST /api/escalations/\{id\}/(?P<action>accept|resolve|return|decline)/": _escalation_action,
    r"POST /api/escalations/\{id\}/raise/": _escalation_raise,
    r"POST /api/escalations/\{id\}/hand-over/": _escalation_hand_over,
    r"POST /api/cases/\{id\}/customer-types/\{code\}/remove/": _customer_type_remove,
    r"POST /api/cases/\{id\}/approvals/": _approval_request,
    r"POST /api/approvals/\{id\}/decide/": _approval_decide,
    r"POST /api/promises/\{id\}/(?P<action>call|reschedule|cancel)/": _promise_action,
    r"POST /api/cases/\{id\}/letters/": _letter_request,
    r"POST /api/letters/\{id\}/retry/": _letter_retry,
    r"POST /api/letter-batches/": _letter_batch,
    r"POST /api/letters/\{id\}/send/": _letter_send,
    r"POST /api/notifications/\{id\}/read/": _mark_read,
    r"POST /api/notifications/read-all/": _mark_all_read,
    r"PUT /api/notifications/preferences/": _preferences,
}


@pytest.fixture
def people(agent, desk, supervisor):
    return {"agent": agent, "desk": desk, "supervisor": supervisor}


def target_for(operation, people):
    for pattern, setup in SETUPS.items():
        match = re.fullmatch(pattern, str(operation))
        if match:
            return setup(people, match)
    pytest.fail(f"{operation} is a write endpoint with no setup here: add one to SETUPS so it is swept")


# --- what the database holds ----------------------------------------------------------------------


def database():
    """Every row of every table, as the ORM reads it back (a row it cannot read fails here)."""
    return {
        model._meta.db_table: sorted(map(repr, model._base_manager.values_list()))
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def changes(before, after):
    return {
        table: {"gone": sorted(set(rows) - set(after[table]))[:3], "new": sorted(set(after[table]) - set(rows))[:3]}
        for table, rows in before.items()
        if rows != after[table]
    }


def _malformed(value):
    """Whether a stored value is one a malformed request could have left."""
    if isinstance(value, str):
        return text_problem(value) is not None or value.startswith(("{'", "['", "[["))
    if isinstance(value, (float, Decimal)):
        return not math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return not -(2**63) <= value < 2**63
    if isinstance(value, (dt.date, dt.datetime)):
        return range_problem(value) is not None
    if isinstance(value, dict):
        return any(map(_malformed, value)) or any(map(_malformed, value.values()))
    if isinstance(value, (list, tuple)):
        return any(map(_malformed, value))
    return False


def malformed_rows():
    return [
        (model._meta.db_table, row)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.db_table.endswith("_migrations")
        for row in model._base_manager.values_list()
        if _malformed(row)
    ]


# --- the tests ------------------------------------------------------------------------------------


def _send(target, operation, text):
    return target.client.generic(operation.method.upper(), target.url, text.encode(), content_type="application/json")


def _answer_problem(response):
    if response.status_code >= 500:
        return f"a {response.status_code}"
    if not response["Content-Type"].startswith("application/json"):
        return f"a {response.status_code} in {response['Content-Type']}"
    try:
        body = response.json()
    except ValueError:
        return f"a {response.status_code} that does not parse as JSON"
    if response.status_code >= 400 and set(body) != {"code", "detail", "fields"}:
        return f"a {response.status_code} not in the API's error shape: {body}"
    return None


def _unreadable_cases():
    """Cases that cannot be read back, alone or in the queue: what a half-written step would leave."""
    reader = client_for(UserFactory(username="sweep_reader", role="auditor"))
    answers = {"the queue": reader.get("/api/cases/?state=all").status_code}
    answers.update(
        {f"case {pk}": reader.get(f"/api/cases/{pk}/").status_code for pk in Case.objects.values_list("pk", flat=True)}
    )
    return [f"{what} answers {status}" for what, status in answers.items() if status != 200]


SWEEP = [
    pytest.param(operation, cls, id=f"{operation} {cls}")
    for operation in OPERATIONS
    for cls in CLASSES
    if applicable(operation, cls)
]


@pytest.mark.parametrize(("operation", "cls"), SWEEP)
def test_malformed_input_is_a_json_4xx_and_changes_nothing(people, operation, cls):
    target = target_for(operation, people)
    if operation.body is None:
        return _sweep_a_bodiless_operation(target, operation, cls)
    failures = []
    before = database()
    for where, text in probes(operation, target.body, cls):
        # Each probe in a savepoint rolled back after it: one that gets through must not hide the next.
        with transaction.atomic():
            response = _send(target, operation, text)
            after = database()
            problem = _answer_problem(response)
            if problem is None and not 400 <= response.status_code < 500 and cls not in LENIENT:
                problem = f"a {response.status_code}: {response.content[:120]!r}"
            if problem is None and after != before and response.status_code >= 400:
                problem = f"a {response.status_code}, but the database changed: {changes(before, after)}"
            if problem is None and response.status_code < 400:  # LENIENT: taken, so it must read back
                problem = "; ".join(_unreadable_cases()) or None
            if problem:
                failures.append(f"{where} → {problem}")
            transaction.set_rollback(True)
    assert not failures, f"{operation}, {cls}:\n  " + "\n  ".join(failures)


def _sweep_a_bodiless_operation(target, operation, cls):
    """The schema says this operation takes no body, and DRF parses none unless the view reads it:
    whatever is sent, it does its one job. It must still never fail, answer anything but JSON, or
    store a malformed value."""
    failures = []
    for where, text in probes(_stand_in(operation), {}, cls):
        problem = _answer_problem(_send(target, operation, text))
        if problem:
            failures.append(f"{where} → {problem}")
    stored = malformed_rows()
    assert not failures and not stored, f"{operation}, {cls}:\n  " + "\n  ".join(failures + [str(r) for r in stored])


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_the_sweep_starts_from_a_body_each_endpoint_accepts(people, operation):
    """Without this, a 4xx above could come from the body the malformed value was put in."""
    target = target_for(operation, people)
    before = database()
    response = _send(target, operation, json.dumps(target.body if target.body is not None else {}))
    assert response.status_code in target.answer, response.content
    assert (database() != before) == (response.status_code < 300)


def test_every_write_route_is_documented_or_exempt_with_a_reason():
    """A route the schema leaves out gets no request schema here: it must say why it reads no body."""
    undocumented = {str(op) for op in OPERATIONS if (op.method, op.path) not in DOCUMENTED}
    assert undocumented == set(NOT_IN_SCHEMA)
    assert {
        "POST /api/complaints/",
        "POST /api/cases/{id}/transitions/agree/",
        "PUT /api/notifications/preferences/",
    } <= {str(op) for op in OPERATIONS if op.body is not None}
