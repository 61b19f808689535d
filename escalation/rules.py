"""Evaluating the escalation rules (models/rule.py) on a case.

Rules are evaluated inside the transaction of the step that may make them hold: intake, a complaint
attached, a customer type tagged, alternatives with compensation, a second missed promise, a breach,
a churn signal, a customer's tier corrected. Each rule that holds, and has not fired on this case
before, is recorded (RuleFiring: which rule, on what, why) and the case goes to the highest level
they name: an escalation is requested, or the open one is raised to that level.

Each process keeps the rules (reference data, reloaded when one changes anywhere), and the case's
facts are read only when a rule asks for them, all in one query (the types the rules name, what can
be counted), whatever the number of rules.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.db import IntegrityError, transaction
from django.db.models import Exists, IntegerField, OuterRef, Subquery
from django.utils import timezone

from cases.choices import TIER_WEIGHT, CustomerTier, PromiseState
from cases.models import Case, CaseOption, Deadline, Promise
from cases.reference import cached
from complaints.models import Complaint
from complaints.selectors import REPEAT_DAYS

from .authority import limit_for_roles
from .choices import OPEN_ESCALATION_STATES
from .escalations import RULE_TRIGGER, escalation_open_for_rule, escalation_raise_for_rule
from .models import CaseCustomerType, Escalation, EscalationRule, RuleFiring

RULES_KEY = "escalation:rules"

# What a rule is evaluated on.
Moment = RuleFiring.Moment


class CaseFacts:
    """What the rules may ask about one case, read in one query on first use. `asked_types`: the
    customer type codes the rules name (whether the case has each is part of that query)."""

    def __init__(self, case, asked_types=frozenset()):
        self.case = case
        self.asked_types = sorted(asked_types)

    @cached_property
    def _read(self) -> dict:
        case = self.case
        since = timezone.now() - timedelta(days=REPEAT_DAYS)
        customers = Complaint.objects.filter(case=OuterRef(OuterRef("pk"))).values("customer_id")
        tagged = CaseCustomerType.objects.filter(case=OuterRef("pk"), removed_at__isnull=True)
        types = {
            f"type_{i}": Exists(tagged.filter(customer_type__code=code)) for i, code in enumerate(self.asked_types)
        }
        return (
            Case.objects.filter(pk=case.pk)
            .annotate(
                missed=_CountOf(Promise.objects.filter(case=OuterRef("pk"), state=PromiseState.MISSED).values("pk")),
                breached=Exists(Deadline.objects.filter(case=OuterRef("pk"), breached_at__isnull=False)),
                recent=_CountOf(Complaint.objects.filter(customer_id__in=customers, logged_at__gte=since).values("pk")),
                top_compensation=Subquery(
                    CaseOption.objects.filter(case=OuterRef("pk"), round=case.options_round)
                    .order_by("-compensation")
                    .values("compensation")[:1]
                ),
                **types,
            )
            .values("missed", "breached", "recent", "top_compensation", *types)
            .get()
        )

    @property
    def type_codes(self) -> frozenset:
        """The asked-about types the case is tagged with now."""
        return frozenset(code for i, code in enumerate(self.asked_types) if self._read[f"type_{i}"])

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


class _CountOf(Subquery):
    """How many rows `queryset` has, as a value of the outer query (works alike on both databases)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


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
    facts = CaseFacts(case, frozenset().union(*(rule.type_codes for rule in rules)))
    held = [(rule, why) for rule in rules if (why := _why(rule, facts))]
    if not held:
        return result
    already = set(RuleFiring.objects.filter(case=case, rule__in=[r for r, _ in held]).values_list("rule_id", flat=True))
    held = [(rule, why) for rule, why in held if rule.pk not in already]
    if not held:
        return result
    top = max(held, key=lambda pair: pair[0].level)[0]  # max keeps the first (by position) of equal levels
    escalation, outcome = _escalate(case, top)
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


def _escalate(case, rule) -> tuple[Escalation | None, str]:
    current = Escalation.objects.select_for_update().filter(case=case, state__in=OPEN_ESCALATION_STATES).first()
    if current is None:
        opened = escalation_open_for_rule(case, rule)
        if opened is not None:
            return opened, RuleFiring.Outcome.OPENED
        current = Escalation.objects.filter(case=case, state__in=OPEN_ESCALATION_STATES).first()
    if current is not None and current.level < rule.level:
        escalation_raise_for_rule(current, rule)
        return current, RuleFiring.Outcome.RAISED
    return current, RuleFiring.Outcome.ALREADY
