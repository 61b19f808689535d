"""Escalation rules (issue 9, item 2): each seeded rule fires on its condition and only then, is
recorded with why, puts the case at its level (requesting or raising the escalation), fires once per
case, and follows the admin's edits."""

import datetime as dt
import zoneinfo
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.reference import forget_local_rows
from cases.services import case_transition, promise_make
from cases.services.deadline_sweeps import deadlines_breach
from cases.services.promise_sweeps import promises_miss_overdue
from escalation.escalations import escalation_decline
from escalation.models import Escalation, EscalationRule, RuleFiring
from escalation.services import case_customer_type_remove, case_customer_type_tag
from tests.factories import evidence, log_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("office_hours")]


def fired(case) -> set:
    return set(RuleFiring.objects.filter(case=case).values_list("rule__code", flat=True))


def tag(case, actor, code):
    case_customer_type_tag(case=case, actor=actor, data={"customer_type": code})


def miss_promises(case, actor, n):
    due = [timezone.now() + timedelta(hours=h) for h in range(1, n + 1)]
    for at in due:
        promise_make(
            case=case, actor=actor, data={"kind": "progress_update", "due_at": at.isoformat(), "description": "进展"}
        )
    with time_machine.travel(due[-1] + timedelta(minutes=settings.PROMISE_GRACE_MINUTES + 1), tick=False):
        promises_miss_overdue()


def breach(case, office_hours):
    office_hours.move_to(dt.datetime(2026, 12, 4, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")))
    deadlines_breach()


def offer(case, actor, *amounts):
    for step in ("accept", "apologize", "acknowledge", "analyze"):
        case_transition(case=case, name=step, actor=actor, data=evidence(step, case))
    options = [{"action": f"方案{i}", "benefit": "补偿", "compensation": str(a)} for i, a in enumerate(amounts, 1)]
    case_transition(case=case, name="offer_alternatives", actor=actor, data={"options": options})


# Seeded rule → (what makes it hold, what comes close but must not).
RULE_TABLE = {
    "legal_customer": (lambda c, a, o: tag(c, a, "legal"), lambda c, a, o: tag(c, a, "professional")),
    "demands_escalation": (lambda c, a, o: tag(c, a, "demands_escalation"), lambda c, a, o: tag(c, a, "comparer")),
    "out_of_control": (lambda c, a, o: tag(c, a, "out_of_control"), lambda c, a, o: tag(c, a, "rambling")),
    "regulator_channel": ({"channel": "regulator"}, {"channel": "letter"}),
    "court_channel": ({"channel": "legal"}, {"channel": "web"}),
    "vip_customer": ({"tier": "vip"}, {"tier": "gold"}),
    "two_missed_promises": (lambda c, a, o: miss_promises(c, a, 2), lambda c, a, o: miss_promises(c, a, 1)),
    "deadline_breached": (lambda c, a, o: breach(c, o), lambda c, a, o: None),
    "repeat_complaints": ("third complaint", "second complaint"),
    "churn_signal": ({"customer_wants_to_leave": True}, {"summary": "客户问怎么取消短信提醒"}),
    "compensation_above_desk": (
        lambda c, a, o: offer(c, a, 20, 5000.01),
        lambda c, a, o: offer(c, a, 20, 5000),
    ),
}


def scenario(how, agent, office_hours, phone):
    if isinstance(how, dict):
        return log_case(agent, customer_phone=phone, **how)
    if isinstance(how, str):  # repeat complaints: n complaints by one customer in 30 days
        n = 3 if how.startswith("third") else 2
        for i in range(n - 1):
            log_case(agent, customer_phone="13911112222", summary=f"第{i + 1}次投诉")
        return log_case(agent, customer_phone="13911112222", summary="又来投诉")
    case = log_case(agent, customer_phone=phone)
    how(case, agent, office_hours)
    return case


def test_every_seeded_rule_is_in_the_table():
    assert set(EscalationRule.objects.values_list("code", flat=True)) == set(RULE_TABLE)


@pytest.mark.parametrize("code", sorted(RULE_TABLE))
def test_each_seeded_rule_fires_on_its_condition_and_only_then(code, agent, office_hours):
    holds, close = RULE_TABLE[code]
    near = scenario(close, agent, office_hours, "13700000001")
    assert code not in fired(near)
    case = scenario(holds, agent, office_hours, "13700000002")
    assert code in fired(case)
    rule = EscalationRule.objects.get(code=code)
    escalation = Escalation.objects.get(case=case, state="requested")
    assert escalation.level >= rule.level
    assert fired(case) == {code}, "no other rule fires on this case"
    assert (escalation.trigger, escalation.reason) == (f"rule:{code}", rule.reason)


def test_a_firing_records_which_rule_on_what_and_why(agent):
    case = log_case(agent)
    tag(case, agent, "legal")
    firing = RuleFiring.objects.get(case=case)
    assert (firing.rule.code, firing.moment, firing.actor, firing.level, firing.outcome) == (
        "legal_customer", "customer_type_tagged", agent, 2, "opened",
    )  # fmt: skip
    assert firing.why == [{"condition": "customer_types", "value": ["legal"]}]
    assert firing.escalation == Escalation.objects.get(case=case)
    event = case.events.get(kind="escalation_requested")
    # Asked by the system: the firing names whose step made the rule hold.
    assert event.payload["trigger"] == "rule:legal_customer" and event.actor is None
    assert Escalation.objects.get(case=case).requested_by is None


def test_a_higher_rule_raises_the_open_escalation_to_its_level(agent):
    case = log_case(agent, tier="vip")  # L1: a supervisor looks after VIP complaints
    escalation = Escalation.objects.get(case=case)
    assert escalation.level == 1
    tag(case, agent, "legal")  # L2
    escalation.refresh_from_db()
    assert (escalation.level, Escalation.objects.filter(case=case).count()) == (2, 1)
    raised = case.events.get(kind="escalation_raised")
    assert (raised.payload["from_level"], raised.payload["level"]) == (1, 2)
    assert RuleFiring.objects.get(case=case, rule__code="legal_customer").outcome == "raised"
    tag(case, agent, "out_of_control")  # L1 again: nothing lower is done to it
    escalation.refresh_from_db()
    assert escalation.level == 2
    assert RuleFiring.objects.get(case=case, rule__code="out_of_control").outcome == "already"


def test_a_rule_fires_once_per_case(agent, desk):
    case = log_case(agent)
    tag(case, agent, "legal")
    escalation = Escalation.objects.get(case=case)
    escalation_decline(escalation=escalation, actor=desk, data={"outcome": "一线可以处理"})
    case_customer_type_remove(case=case, actor=agent, code="legal", data={"reason": "标错了"})
    tag(case, agent, "legal")
    assert RuleFiring.objects.filter(case=case).count() == 1
    assert not Escalation.objects.filter(case=case, state="requested").exists()  # the desk's decision stands


@pytest.fixture
def site_admin(admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    return admin_user


def test_rules_are_the_admins_to_edit_and_take_effect_at_once(agent, site_admin, django_capture_on_commit_callbacks):
    admin = Client()
    admin.force_login(site_admin)
    rule = EscalationRule.objects.get(code="legal_customer")
    log_case(agent, customer_phone="13800000009")  # the rules are now loaded in this process
    form = {
        "code": rule.code, "name_zh": rule.name_zh, "name_en": rule.name_en, "position": 10, "active": "on",
        "level": 3, "reason_zh": "法务处理", "reason_en": "Legal handles it", "customer_types": [
            *rule.customer_types.values_list("pk", flat=True)
        ], "channels": "[]", "tier_at_least": "", "compensation_above_limit_of": "",
        "missed_promises_at_least": "", "recent_complaints_at_least": "",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        saved = admin.post(f"/admin/escalation/escalationrule/{rule.pk}/change/", form)
    assert saved.status_code == 302
    case = log_case(agent)
    tag(case, agent, "legal")
    assert Escalation.objects.get(case=case).level == 3
    with django_capture_on_commit_callbacks(execute=True):
        EscalationRule.objects.filter(code="legal_customer").update(active=False)
        rule.refresh_from_db()
        rule.save()  # through save(): the change is reference data, every process reloads
    other = log_case(agent, customer_phone="13800000010")
    tag(other, agent, "legal")
    assert not Escalation.objects.filter(case=other).exists()


def test_a_rule_without_any_condition_is_refused_in_the_admin(site_admin):
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(site_admin)
    form = {
        "code": "everything", "name_zh": "全部", "name_en": "Everything", "position": 1, "active": "on",
        "level": 2, "reason_zh": "x", "reason_en": "x", "channels": "[]",
    }  # fmt: skip
    answer = admin.post("/admin/escalation/escalationrule/add/", form)
    assert answer.status_code == 200 and "at least one condition" in answer.content.decode()
    bad_channel = admin.post("/admin/escalation/escalationrule/add/", {**form, "channels": '["court"]'})
    assert "Unknown channel" in bad_channel.content.decode()
    assert not EscalationRule.objects.filter(code="everything").exists()


def _intake_queries(agent, phone):
    with CaptureQueriesContext(connection) as queries:
        log_case(agent, customer_phone=phone)
    return len(queries.captured_queries)


def test_the_queries_of_an_intake_do_not_grow_with_the_number_of_rules(agent):
    log_case(agent, customer_phone="13800000011")  # the rules are loaded and kept by the process
    with_seeded_rules = _intake_queries(agent, "13800000012")
    extra = 50 - EscalationRule.objects.filter(active=True).count()
    for i in range(extra):  # what an admin might add: more thresholds, channels, tiers, types
        rule = EscalationRule.objects.create(
            code=f"extra_{i}", level=1, name_zh="x", name_en="x", reason_zh="x", reason_en="x", position=200 + i,
            recent_complaints_at_least=5 + i if i % 3 == 0 else None, channels=["letter"] if i % 3 == 1 else [],
            tier_at_least="gold" if i % 3 == 2 else "",
        )  # fmt: skip
        rule.customer_types.set([])
    forget_local_rows()
    log_case(agent, customer_phone="13800000013")
    assert EscalationRule.objects.filter(active=True).count() == 50
    assert _intake_queries(agent, "13800000014") == with_seeded_rules
