"""Plausible evidence for each step, in the customer's language. Used by the demo loader and
the benchmark seeder; tests build their own."""

import random
from datetime import timedelta

from django.utils import timezone

from cases.business_calendar import next_business_slot
from cases.choices import EmotionalNeed
from cases.models import Category, ResponsibleUnit

TEXT = {
    "zh-hans": {
        "customer_words": [
            "我上个月根本没用这么多流量，为什么扣了我两百块？",
            "宽带又断了三天，没人给我一个说法。",
            "营业员态度很差，我要投诉。",
        ],
        "apology_text": "非常抱歉给您带来了这么多麻烦，耽误了您的时间。",
        "restated_problem": "您是说本月话费比平时多出了两百元，而您并没有使用额外的服务，对吗？",
        "facts": {
            "what": "本月账单多扣费",
            "when": "上个月",
            "where": "线上账单",
            "who": "客户本人",
            "why": "疑似增值业务自动续订",
            "how": "客户查询账单时发现",
        },
        "root_cause": "增值业务到期后自动续订，未提前短信提醒。",
        "desired_outcome": "退还多扣的费用并取消该业务。",
        "options": [
            {"action": "退还本月增值业务费用", "benefit": "多扣的钱全部退回", "compensation": "20.00"},
            {"action": "退费并赠送一个月流量包", "benefit": "退费之外获得额外流量", "compensation": "50.00"},
        ],
        "commitment": "三个工作日内完成退费并短信通知",
        "note": "已回访，客户确认收到退款。",
    },
    "en": {
        "customer_words": [
            "I never used that much data, why was I charged 200 more?",
            "My broadband has been down for three days and nobody tells me anything.",
            "The clerk at the store was rude to me.",
        ],
        "apology_text": "I'm truly sorry for the trouble and the time this has cost you.",
        "restated_problem": "So this month's bill is 200 higher than usual and you did not use any extra service — is that right?",
        "facts": {
            "what": "Overcharge on this month's bill",
            "when": "Last month",
            "where": "Online bill",
            "who": "The customer",
            "why": "Add-on renewed automatically",
            "how": "Found when checking the bill",
        },
        "root_cause": "An add-on renewed automatically without the reminder text message.",
        "desired_outcome": "Refund the extra charge and cancel the add-on.",
        "options": [
            {
                "action": "Refund this month's add-on fee",
                "benefit": "The overcharge is returned in full",
                "compensation": "20.00",
            },
            {
                "action": "Refund plus one month of extra data",
                "benefit": "Refund and a free data pack",
                "compensation": "50.00",
            },
        ],
        "commitment": "Refund within three working days, confirmed by text message",
        "note": "Called back; the customer confirmed the refund arrived.",
    },
}


def evidence_for(name, case, rng: random.Random):
    t = TEXT["en" if case.customer_language == "en" else "zh-hans"]
    now = timezone.now()
    if name == "accept":
        return {
            "first_contact_at": (now - timedelta(minutes=rng.randint(1, 60))).isoformat(),
            "customer_words": rng.choice(t["customer_words"]),
        }
    if name == "apologize":
        return {"apology_text": t["apology_text"]}
    if name == "acknowledge":
        return {"restated_problem": t["restated_problem"], "emotional_needs": rng.sample(EmotionalNeed.values, 2)}
    if name == "analyze":
        data = {f"fact_{k}": v for k, v in t["facts"].items()}
        data.update(
            root_cause=t["root_cause"],
            desired_outcome=t["desired_outcome"],
            category=rng.choice(list(Category.objects.values_list("pk", flat=True))),
            responsible_unit=rng.choice(list(ResponsibleUnit.objects.values_list("pk", flat=True))),
        )
        return data
    if name == "offer_alternatives":
        return {"options": t["options"]}
    if name == "agree":
        # Promised times inside business hours, as the Agreement step requires.
        due = next_business_slot(now + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 8)))
        return {
            "chosen_option": rng.randint(1, 2),
            "customer_confirmed": True,
            "commitments": [{"description": t["commitment"], "due_at": due.isoformat()}],
            "next_callback_at": next_business_slot(due + timedelta(hours=2)).isoformat(),
        }
    if name == "assure":
        return {
            "follow_up_done": True,
            "satisfaction": rng.randint(3, 5),
            "thanked": True,
            "follow_up_note": t["note"],
            "no_letter_reason": "told_in_person",
        }
    if name == "close":
        return {"closing_note": t["note"]}
    english = case.customer_language == "en"
    if name != "withdraw":  # reject, reopen: a reason
        return {"reason": "Checked with the customer." if english else "已与客户核实。"}
    return {
        "withdrawn_at": now.isoformat(),
        "withdrawal_channel": "phone",
        "withdrawal_words": "Never mind, it's sorted now." if english else "算了，问题已经自己好了，不用处理了。",
        "reason": "The customer called to withdraw." if english else "客户来电撤回投诉",
    }


def call_outcome(case) -> dict:
    """A promised call made: the customer reached, in the case's language."""
    english = case.customer_language == "en"
    return {
        "reached": True,
        "outcome": "Called back; the customer confirmed it is sorted." if english else "已回访，客户确认问题已解决。",
    }
