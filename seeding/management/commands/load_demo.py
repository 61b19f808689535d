"""Demo data: one user per role (password printed), reference data, ~50 cases in every state.

Idempotent: users and cases are created once; running again reprints the credentials.
Cases are made through the real services, so their events and history are genuine.
"""

import random
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Profile
from cases.choices import OPEN_PROMISE_STATES, Channel, CustomerTier
from cases.models import Case
from cases.services import case_transition, promise_call
from complaints.services import complaint_log
from seeding.sample_evidence import call_outcome, evidence_for

CREDENTIALS_FILE = settings.VAR_DIR / "demo-credentials.txt"

USERS = [
    # username, role, first name, last name, time zone
    ("agent", "agent", "伟", "张", "Asia/Shanghai"),
    ("agent2", "agent", "Emily", "Chen", "Asia/Hong_Kong"),
    ("desk", "escalation_desk", "娜", "李", "Asia/Shanghai"),
    ("supervisor", "supervisor", "芳", "王", "Asia/Shanghai"),
    ("auditor", "auditor", "静", "陈", "Asia/Shanghai"),
    ("admin", "admin", "Admin", "", "Asia/Shanghai"),
]

CUSTOMERS = [
    ("王小明", "13800138001", "zh-hans"),
    ("李华", "13900139002", "zh-hans"),
    ("赵敏", "13700137003", "zh-hans"),
    ("刘洋", "13600136004", "zh-hans"),
    ("陈晓红", "13500135005", "zh-hans"),
    ("周杰", "13400134006", "zh-hans"),
    ("John Smith", "+85291234567", "en"),
    ("Mary Johnson", "+85298765432", "en"),
    ("David Lee", "+6591234567", "en"),
    ("Sarah Brown", "+447700900123", "en"),
]
SUMMARIES = {
    "zh-hans": ["话费多扣两百元", "宽带频繁断线", "营业厅服务态度差", "国际漫游费用过高", "套餐变更未生效"],
    "en": [
        "Overcharged 200 on the bill",
        "Broadband keeps dropping",
        "Rude staff at the retail hall",
        "Roaming charges too high",
        "Plan change not applied",
    ],
}
# The step path to each target state, and how many demo cases end there (about 50 in all).
PATHS = {
    "new": ([], 6),
    "accepted": (["accept"], 4),
    "apologized": (["accept", "apologize"], 4),
    "acknowledged": (["accept", "apologize", "acknowledge"], 5),
    "analyzed": (["accept", "apologize", "acknowledge", "analyze"], 5),
    "alternatives_offered": (["accept", "apologize", "acknowledge", "analyze", "offer_alternatives"], 5),
    "agreed": (["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree"], 5),
    "assured": (["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure"], 4),
    "closed": (["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure", "close"], 5),
    "reopened": (
        ["accept", "apologize", "acknowledge", "analyze", "offer_alternatives", "agree", "assure", "close", "reopen"],
        2,
    ),
    "withdrawn": (["accept", "apologize", "withdraw"], 3),
    "rejected": (["accept", "reject"], 2),
}


def _password():
    if CREDENTIALS_FILE.exists():
        return CREDENTIALS_FILE.read_text().split("password: ", 1)[1].split()[0]
    password = secrets.token_urlsafe(9)
    CREDENTIALS_FILE.write_text(f"password: {password}\n")
    return password


class Command(BaseCommand):
    help = "Load demo users (one per role), reference data and ~50 sample cases. Safe to run twice."

    def handle(self, *args, **options):
        password = _password()
        users = self._users(password)
        if Case.objects.exists():
            self.stdout.write("Cases already present; demo cases not added again.")
        else:
            self._cases(users)
        self.stdout.write(self.style.SUCCESS("Demo users (all with the same password):"))
        for username, role, *_rest in USERS:
            self.stdout.write(f"  {username:<11} role {role:<16} password {password}")

    def _users(self, password):
        User = get_user_model()
        users = {}
        for username, role, first, last, tz in USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(password)
                user.is_staff = role == "admin"
                user.is_superuser = role == "admin"
                user.save()
                user.groups.add(Group.objects.get(name=role))
                Profile.objects.get_or_create(user=user, defaults={"time_zone": tz})
            users[username] = user
        # The demo team: both agents report to the demo supervisor (told of their withdrawals).
        for profile in Profile.objects.filter(user__in=[users["agent"], users["agent2"]], supervisor=None):
            profile.supervisor = users["supervisor"]
            profile.save(update_fields=["supervisor"])
        return users

    @transaction.atomic
    def _cases(self, users):
        rng = random.Random(2026)
        agents = [users["agent"], users["agent2"]]
        n = 0
        for path, count in PATHS.values():
            for _ in range(count):
                name, phone, lang = CUSTOMERS[n % len(CUSTOMERS)]
                owner = agents[n % 2]
                n += 1
                complaint, _created = complaint_log(
                    actor=owner,
                    data={
                        "customer_name": name,
                        "customer_phone": phone,
                        "tier": rng.choice(CustomerTier.values),
                        "preferred_language": lang,
                        "channel": rng.choice(
                            [
                                Channel.PHONE,
                                Channel.PHONE,
                                Channel.RETAIL_HALL,
                                Channel.WEB,
                                Channel.LETTER,
                                Channel.REGULATOR,
                                Channel.LEGAL,
                            ]
                        ),
                        "summary": rng.choice(SUMMARIES[lang]),
                        "what_happened": rng.choice(SUMMARIES[lang]),
                        "desired_resolution": "退款" if lang != "en" else "A refund",
                    },
                )
                case = complaint.case
                for step in path:
                    actor = users["supervisor"] if step == "reject" else owner
                    if step == "assure":  # the follow-up call made and everything promised done
                        for promise in case.promises.filter(state__in=OPEN_PROMISE_STATES):
                            promise_call(promise=promise, actor=owner, data=call_outcome(case))
                    case_transition(case=case, name=step, actor=actor, data=evidence_for(step, case, rng))
        self.stdout.write(f"Created {n} demo cases.")
