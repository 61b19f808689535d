"""Django in this process (the driver), set up against the same database and channel layer as the server:
the users and their sessions, the cases, and the business action every phase times.

Users are created in bulk without passwords, each with one database session holding what
`django.contrib.auth.login()` stores, so a client can send its session cookie in the handshake. Cases are
logged by their owners through the intake service, `complaint_log()` (not timed). The action is the real
service, `case_transition(name="accept")`.

The business actions run in this process through asgiref's `sync_to_async` (`sync()` below) from the same
event loop that runs the WebSocket clients, exactly as a view runs under an ASGI server: the `on_commit`
push is then handed to that loop (notifications/push.py) and sent there over its persistent Redis
connections, without the action waiting for it.
"""

import datetime as dt
import logging
import os
import time
import warnings

from asgiref.sync import sync_to_async

from bench.live.probe import OverCapacity, Probe

PREFIX = "live"  # of every username this benchmark creates


def sync(fn):
    """`fn` as a coroutine function, run in the one thread Django's sync code shares (as a view's is)."""
    return sync_to_async(fn, thread_sensitive=True)


class Driver:
    def __init__(self):
        self.probe = Probe()
        self.over_capacity = OverCapacity()
        self.ready = False
        self.seq = 0  # numbers the customers of the cases logged so far

    def setup(self, env):
        os.environ.update(env)
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        self.ready = True
        self.probe.install()
        logging.getLogger("channels_redis").addHandler(self.over_capacity)
        logging.getLogger("channels_redis").setLevel(logging.INFO)

    # The rest is sync code: run it through sync() from the event loop (or from a plain thread).

    def make_users(self, kind, n, role):
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group
        from django.contrib.sessions.backends.db import SessionStore

        User = get_user_model()
        group = Group.objects.get(name=role)
        users = User.objects.bulk_create(
            [
                User(username=f"{PREFIX}_{kind}_{i}", first_name=kind, last_name=str(i), password=make_password(None))
                for i in range(n)
            ]
        )
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in users])
        backend = settings.AUTHENTICATION_BACKENDS[0]
        out = []
        for u in users:  # what django.contrib.auth.login() stores in the session
            session = SessionStore()
            session[SESSION_KEY] = u._meta.pk.value_to_string(u)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = u.get_session_auth_hash()
            session.create()
            out.append((u, session.session_key))
        return out

    def make_cases(self, owners, per_owner):
        """`per_owner` fresh "new" cases for each owner, logged by the owner through the intake
        service. Returns {owner id: [case ids]}."""
        from complaints.services import complaint_log

        out = {}
        for _round in range(per_owner):
            for owner in owners:
                self.seq += 1
                complaint, _new = complaint_log(
                    actor=owner,
                    data={
                        "customer_name": f"客户{self.seq}",
                        "customer_phone": f"139{self.seq:08d}",
                        "tier": "standard",
                        "preferred_language": "zh-hans",
                        "channel": "phone",
                        "summary": f"话费多扣两百元 #{self.seq}",
                        "what_happened": "本月账单比平时多了两百元，客户没有使用额外业务。",
                    },
                )
                out.setdefault(owner.pk, []).append(complaint.case_id)
        return out

    @staticmethod
    def evidence():
        from django.utils import timezone

        return {
            "first_contact_at": (timezone.now() - dt.timedelta(minutes=4)).isoformat(),
            "customer_words": "你们凭什么多扣我两百块！我要一个说法。",
        }

    def accept(self, case_id, actor):
        """Accept one case; returns its number and the notifications it committed as (id, recipient, t_commit)."""
        from cases.models import Case
        from cases.services import case_transition

        case = Case.objects.select_related("owner").get(pk=case_id)
        self.probe.current = []
        try:
            case_transition(case=case, name="accept", actor=actor, data=self.evidence())
            return case.number, self.probe.current
        finally:
            self.probe.current = None

    def timed_accept(self, case_id, actor, count=False):
        """Accept one case; returns the milliseconds `case_transition` took (the case is loaded before
        the clock starts), or with `count` the SQL it ran instead."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from cases.models import Case
        from cases.services import case_transition

        case = Case.objects.select_related("owner").get(pk=case_id)
        data = self.evidence()
        if count:
            with CaptureQueriesContext(connection) as ctx:
                case_transition(case=case, name="accept", actor=actor, data=data)
            return [q["sql"] for q in ctx.captured_queries]
        began = time.perf_counter()
        case_transition(case=case, name="accept", actor=actor, data=data)
        return (time.perf_counter() - began) * 1000

    @staticmethod
    def close_db():
        from django.db import connections

        connections.close_all()
