"""Factories and a small toolkit to put cases into any state through the real services."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.business_calendar import next_business_slot
from cases.choices import OPEN_PROMISE_STATES
from cases.models import Category, ResponsibleUnit
from cases.services import case_transition, promise_call
from complaints.services import complaint_log


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
        self.save()


def intake_data(**overrides):
    data = {
        "customer_name": "王小明",
        "customer_phone": "13800138000",
        "tier": "standard",
        "preferred_language": "zh-hans",
        "channel": "phone",
        "summary": "话费多扣两百元",
        "what_happened": "本月账单比平时多了两百元，客户没有使用额外业务。",
    }
    data.update(overrides)
    return data


def log_case(actor, **overrides):
    complaint, _created = complaint_log(actor=actor, data=intake_data(**overrides))
    return complaint.case


def evidence(name, case=None):
    """Valid evidence for each step, written the way an agent would fill it."""
    now = timezone.now()
    if name == "accept":
        return {
            "first_contact_at": (now - timedelta(minutes=3)).isoformat(),
            "customer_words": "你们凭什么多扣我两百块！",
        }
    if name == "apologize":
        return {"apology_text": "非常抱歉给您添麻烦了。"}
    if name == "acknowledge":
        return {"restated_problem": "您是说本月多扣了两百元。", "emotional_needs": ["be_heard", "be_taken_seriously"]}
    if name == "analyze":
        return {
            "fact_what": "多扣费",
            "fact_when": "上月",
            "fact_who": "客户本人",
            "root_cause": "增值业务自动续订",
            "category": Category.objects.get(code="billing").pk,
            "responsible_unit": ResponsibleUnit.objects.get(code="billing_centre").pk,
            "desired_outcome": "退费",
        }
    if name == "offer_alternatives":
        return {
            "options": [
                {"action": "退还本月费用", "benefit": "多扣的钱退回", "compensation": "20"},
                {"action": "退费并送流量包", "benefit": "额外流量", "compensation": "50"},
            ]
        }
    if name == "agree":
        # Inside business hours whenever the suite runs (cases/business_calendar.py).
        due = next_business_slot(now + timedelta(days=1))
        return {
            "chosen_option": 1,
            "customer_confirmed": True,
            "commitments": [{"description": "三个工作日内退费", "due_at": due.isoformat()}],
            "next_callback_at": next_business_slot(due + timedelta(hours=1)).isoformat(),
        }
    if name == "assure":
        return {"follow_up_done": True, "satisfaction": 4, "thanked": True, "no_letter_reason": "told_in_person"}
    if name == "close":
        return {"closing_note": ""}
    if name == "withdraw":
        return {
            "withdrawn_at": now.isoformat(),
            "withdrawal_channel": "phone",
            "withdrawal_words": "算了，不用处理了。",
            "reason": "客户撤回",
        }
    return {"reason": "客户撤回"}


PATH_TO = {
    "new": [],
    "accepted": ["accept"],
    "apologized": ["accept", "apologize"],
    "acknowledged": ["accept", "apologize", "acknowledge"],
    "analyzed": ["accept", "apologize", "acknowledge", "analyze"],
    "alternatives_offered": ["accept", "apologize", "acknowledge", "analyze", "offer_alternatives"],
    "agreed": ["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree"],
    "assured": ["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure"],
    "closed": ["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure", "close"],
    "withdrawn": ["withdraw"],
    "rejected": ["reject"],
}


def promises_keep(case, actor):
    """Make every call and do every thing promised on `case` (what happens before Assure)."""
    for promise in case.promises.filter(state__in=OPEN_PROMISE_STATES):
        promise_call(promise=promise, actor=actor, data={"reached": True, "outcome": "已按约定回访，客户确认。"})


def case_in_state(state, *, owner, supervisor=None):
    case = log_case(owner)
    for step in PATH_TO[state]:
        actor = supervisor if step == "reject" else owner
        if step == "assure":
            promises_keep(case, owner)
        case_transition(case=case, name=step, actor=actor, data=evidence(step, case))
    case.refresh_from_db()
    return case
