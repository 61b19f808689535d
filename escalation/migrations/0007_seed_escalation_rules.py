"""The brief's typical escalation triggers as default rules (issue 9, item 2); admins edit, add or
deactivate them. Levels: L1 a supervisor, L2 the escalation desk, L3 legal / management.

The compensation rule looks at the desk's own limit: an option above an agent's or a supervisor's
authority goes through a compensation approval, above the desk's it needs management."""

from django.db import migrations

# (code, position, level, name_zh, name_en, reason_zh, reason_en, conditions)
RULES = [
    ("legal_customer", 10, 2, "法律型客户", "Legal-type customer",
     "客户被标记为法律型客户：每句话都可能被引用，由升级投诉处理台接手。",
     "The customer is tagged legal type: every word may be quoted, so the escalation desk takes over.",
     {"types": ["legal"]}),
    ("demands_escalation", 20, 2, "要求升级投诉", "Customer demands escalation",
     "客户坚持要求升级：由能做决定的升级投诉处理台接手。",
     "The customer insists on escalation: the escalation desk, who can decide, takes over.",
     {"types": ["demands_escalation"]}),
    ("out_of_control", 30, 1, "客户情绪失控", "Customer out of control",
     "客户情绪完全失控：请主管接手。",
     "The customer is completely out of control: a supervisor takes over.",
     {"types": ["out_of_control"]}),
    ("regulator_channel", 40, 2, "第三方机关投诉", "Complaint through a regulator",
     "投诉来自监管机构或第三方机关：由升级投诉处理台负责答复。",
     "The complaint came through a regulator or third-party body: the escalation desk answers it.",
     {"channels": ["regulator"]}),
    ("court_channel", 50, 3, "法律诉讼威胁", "Legal threat or court",
     "客户威胁诉讼或已起诉：交法务/管理层处理。",
     "The customer threatens to sue or has gone to court: legal and management handle it.",
     {"channels": ["legal"]}),
    ("compensation_above_desk", 60, 3, "赔偿超出处理台权限", "Compensation above the desk's authority",
     "本轮方案中的赔偿超出升级投诉处理台的权限：需管理层决定。",
     "An option in this round offers more compensation than the escalation desk may grant: management decides.",
     {"compensation_above_limit_of": "escalation_desk"}),
    ("two_missed_promises", 70, 2, "两次失约", "Two promises missed",
     "对客户的承诺已两次未兑现：由升级投诉处理台接手。",
     "Two promises to the customer were missed: the escalation desk takes over.",
     {"missed_promises_at_least": 2}),
    ("deadline_breached", 80, 2, "处理时限超时", "Deadline breached",
     "案件已超过处理时限：由升级投诉处理台接手。",
     "A deadline of the case was breached: the escalation desk takes over.",
     {"deadline_breached": True}),
    ("vip_customer", 90, 1, "VIP客户投诉", "VIP customer",
     "VIP客户投诉：请主管关注。",
     "A VIP customer complained: a supervisor looks after it.",
     {"tier_at_least": "vip"}),
    ("repeat_complaints", 100, 1, "30天内多次投诉", "Repeat complaints",
     "客户30天内已投诉3次或以上：请主管关注。",
     "The customer has complained 3 or more times in 30 days: a supervisor looks at it.",
     {"recent_complaints_at_least": 3}),
    ("churn_signal", 110, 1, "客户有流失风险", "Customer may leave",
     "客户表示要销户、拆机或转网：请主管参与挽留。",
     "The customer wants to cancel, close the account or port out: a supervisor helps keep them.",
     {"churn_signal": True}),
]  # fmt: skip


def seed(apps, schema_editor):
    EscalationRule = apps.get_model("escalation", "EscalationRule")
    CustomerType = apps.get_model("escalation", "CustomerType")
    for code, position, level, name_zh, name_en, reason_zh, reason_en, conditions in RULES:
        conditions = dict(conditions)
        types = conditions.pop("types", [])
        rule = EscalationRule.objects.create(
            code=code, position=position, level=level, name_zh=name_zh, name_en=name_en,
            reason_zh=reason_zh, reason_en=reason_en, **conditions,
        )  # fmt: skip
        rule.customer_types.set(CustomerType.objects.filter(code__in=types))


TIER_WEIGHT = {"vip": 3, "gold": 2, "silver": 1, "standard": 0}  # as cases.choices.TIER_WEIGHT today


def rank_escalations(apps, schema_editor):
    """Escalations opened before the desk sorted by urgency: rank them as escalations.py now does."""
    Escalation = apps.get_model("escalation", "Escalation")
    for escalation in Escalation.objects.select_related("case"):
        escalation.urgency_rank = (3 - escalation.level) * 10 + 3 - TIER_WEIGHT[escalation.case.customer_tier]
        escalation.save(update_fields=["urgency_rank"])


def unseed(apps, schema_editor):
    apps.get_model("escalation", "EscalationRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("escalation", "0006_escalation_rules")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(rank_escalations, migrations.RunPython.noop),
    ]
