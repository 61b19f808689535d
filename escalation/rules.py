"""Evaluating the escalation rules (models/rule.py) on a case.

Rules are evaluated inside the transaction of the step that may make them hold: intake, a complaint
attached, a customer type tagged, alternatives with compensation, a second missed promise, a breach,
a churn signal, a customer's tier corrected. Each rule that holds, and has not fired on this case
before, is recorded (RuleFiring: which rule, on what, why) and the case goes to the highest level
they name: an escalation is requested, or the open one is raised to that level.

Each process keeps the rules (reference data, reloaded when one changes anywhere), and the case's
facts are read only when a rule asks for them: its customer types in one query, all that can be
counted in another, whatever the number of rules.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cache, cached_property

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases.choices import TIER_WEIGHT, CustomerTier, PromiseState
from cases.models import CaseOption, Deadline, Promise
from cases.reference import cached
from complaints.models import Complaint
from complaints.selectors import REPEAT_DAYS

from .authority import limit_for_roles
from .choices import OPEN_ESCALATION_STATES
from .escalations import RULE_TRIGGER, escalation_open_for_rule, escalation_raise_for_rule
from .models import Escalation, EscalationRule, RuleFiring

RULES_KEY = "escalation:rules"

# What a rule is evaluated on.
Moment = RuleFiring.Moment


# What the rules count about a case, in one statement. Raw SQL, measured: the same statement built
# with the ORM (four correlated subqueries as annotations) took 19 ms per evaluation to compile on the
# benchmark machine against 0.4 ms to run, and every intake, tagging and offer is evaluated (target:
# ≤ 5 ms p95, docs/benchmarks.md). Portable SQL, read only, on both databases (tests run on both).
COUNTS_SQL = """
SELECT
  (SELECT COUNT(*) FROM {promise} WHERE case_id = %s AND state = %s),
  EXISTS (SELECT 1 FROM {deadline} WHERE case_id = %s AND breached_at IS NOT NULL),
  (SELECT COUNT(*) FROM {complaint} WHERE logged_at >= %s
     AND customer_id IN (SELECT customer_id FROM {complaint} WHERE case_id = %s)),
  (SELECT MAX(compensation) FROM {option} WHERE case_id = %s AND "round" = %s)
"""


@cache  # one database per process: the statement is built once
def _counts_sql():
    tables = {"promise": Promise, "deadline": Deadline, "complaint": Complaint, "option": CaseOption}
    return COUNTS_SQL.format(**{name: connection.ops.quote_name(m._meta.db_table) for name, m in tables.items()})


class CaseFacts:
    """What the rules may ask about one case, each read once on first use: its customer types in
    one query, everything counted in another."""

    def __init__(self, case):
        self.case = case

    @cached_property
    def type_codes(self) -> frozenset:
        return frozenset(
            self.case.customer_types.filter(removed_at__isnull=True).values_list("customer_type__code", flat=True)
        )

    @cached_property
    def _read(self) -> dict:
        case = self.case
        since = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(days=REPEAT_DAYS))
        params = [case.pk, str(PromiseState.MISSED), case.pk, since, case.pk, case.pk, case.options_round]
        with connection.cursor() as cursor:
            cursor.execute(_counts_sql(), params)
            missed, breached, recent, top = cursor.fetchone()
        return {
            "missed": missed,
            "breached": bool(breached),
            "recent": recent,
            "top_compensation": Decimal(str(top)) if top is not None else None,
        }

    @property
    def missed_promises(self) -> int:
        return self._read["missed"]

    @property
    def deadline_breached(self) -> bool:
        return self._read["breached"]

    @property
    def recent_complaints(self) -> int:
        return self._read["recent"]

    @property
    def top_compensation(self) -> Decimal:
        return self._read["top_compensation"] or Decimal(0)

    @property
    def churn(self) -> bool:
        return self.case.churn_flagged_at is not None


def _tier_at_least(rule, facts):
    tier = facts.case.customer_tier
    return tier if TIER_WEIGHT[CustomerTier(tier)] >= TIER_WEIGHT[CustomerTier(rule.tier_at_least)] else None


def _compensation_above(rule, facts):
    amount = facts.top_compensation
    if not amount:
        return None
    return str(amount) if amount > limit_for_roles([rule.compensation_above_limit_of]) else None


def _at_least(value, minimum):
    return value if value >= minimum else None


# Condition (a field of EscalationRule) → what the case shows for it when it holds, else None.
# Cheap checks first: a rule stops at its first condition that fails.
CONDITIONS = {
    "channels": lambda rule, facts: facts.case.channel if facts.case.channel in rule.channels else None,
    "tier_at_least": _tier_at_least,
    "churn_signal": lambda rule, facts: True if facts.churn else None,
    "customer_types": lambda rule, facts: sorted(rule.type_codes & facts.type_codes) or None,
    "missed_promises_at_least": lambda rule, facts: _at_least(facts.missed_promises, rule.missed_promises_at_least),
    "deadline_breached": lambda rule, facts: True if facts.deadline_breached else None,
    "recent_complaints_at_least": lambda rule, facts: _at_least(
        facts.recent_complaints, rule.recent_complaints_at_least
    ),
    "compensation_above_limit_of": _compensation_above,
}


def _why(rule: EscalationRule, facts: CaseFacts) -> list | None:
    """The conditions of `rule` as they held on the case ([{condition, value}]), or None if one fails."""
    why = []
    for condition, observed in CONDITIONS.items():
        wanted = rule.type_codes if condition == "customer_types" else getattr(rule, condition)
        if not wanted:
            continue
        value = observed(rule, facts)
        if value is None:
            return None
        why.append({"condition": condition, "value": value})
    return why


def _load_rules() -> list[EscalationRule]:
    rules = list(
        EscalationRule.objects.filter(active=True).prefetch_related("customer_types").order_by("position", "code")
    )
    for rule in rules:
        rule.type_codes = frozenset(t.code for t in rule.customer_types.all())
    return rules


def active_rules() -> list[EscalationRule]:
    """The active rules in order, each with `type_codes`: the codes of its customer types. Kept by
    each process like other reference data (cases/reference.py) until a rule changes anywhere."""
    return cached(RULES_KEY, _load_rules)


def rule_of_trigger(trigger: str) -> EscalationRule | None:
    """The active rule an escalation's `trigger` names ("rule:<code>"), or None."""
    if not trigger.startswith(RULE_TRIGGER):
        return None
    code = trigger[len(RULE_TRIGGER) :]
    return next((rule for rule in active_rules() if rule.code == code), None)


@dataclass
class Evaluation:
    fired: list = field(default_factory=list)  # RuleFiring rows written
    escalation: Escalation | None = None


def rules_evaluate(case, *, moment: str, actor=None, rules=None) -> Evaluation:
    """Evaluate every active rule on `case`; record and act on those that hold. Caller holds the
    transaction (the step that made them hold)."""
    result = Evaluation()
    if not case.is_open:
        return result
    rules = active_rules() if rules is None else rules
    facts = CaseFacts(case)
    held = [(rule, why) for rule in rules if (why := _why(rule, facts))]
    if not held:
        return result
    already = set(RuleFiring.objects.filter(case=case, rule__in=[r for r, _ in held]).values_list("rule_id", flat=True))
    held = [(rule, why) for rule, why in held if rule.pk not in already]
    if not held:
        return result
    top = max(held, key=lambda pair: pair[0].level)[0]  # max keeps the first (by position) of equal levels
    escalation, outcome = _escalate(case, top, actor)
    now = timezone.now()
    for rule, why in held:
        firing = RuleFiring(
            rule=rule, case=case, moment=moment, fired_at=now, level=rule.level, why=why, actor=actor,
            outcome=outcome if rule is top else RuleFiring.Outcome.ALREADY, escalation=escalation,
        )  # fmt: skip
        try:
            with transaction.atomic():
                firing.save()
        except IntegrityError:
            continue  # a concurrent evaluation recorded this rule on this case first
        result.fired.append(firing)
    result.escalation = escalation
    return result


def _escalate(case, rule, actor) -> tuple[Escalation | None, str]:
    current = Escalation.objects.select_for_update().filter(case=case, state__in=OPEN_ESCALATION_STATES).first()
    if current is None:
        opened = escalation_open_for_rule(case, rule, step_by=actor)
        if opened is not None:
            return opened, RuleFiring.Outcome.OPENED
        current = Escalation.objects.filter(case=case, state__in=OPEN_ESCALATION_STATES).first()
    if current is not None and current.level < rule.level:
        escalation_raise_for_rule(current, rule)
        return current, RuleFiring.Outcome.RAISED
    return current, RuleFiring.Outcome.ALREADY
