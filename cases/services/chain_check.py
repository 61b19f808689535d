"""Walking the case events' hash chains (cases/audit_chain.py) and telling auditors when one breaks.

`manage.py verify_audit` runs it by hand; `event_chains_verify_task` once a day (config/settings,
CELERY_BEAT_SCHEDULE). A broken chain means someone changed the timeline outside the application
(the database refuses it to the application's own writes): every auditor is told, once per finding.
"""

import hashlib

from django.utils.translation import gettext_lazy as _

from accounts.people import people_with_role
from accounts.roles import Role
from notifications.events import register_event
from notifications.services import notify

from ..audit_chain import ChainReport, chain_rows, verify_chains
from ..models import Case, CaseEvent

CHAIN_BROKEN = "audit_chain_broken"
register_event(CHAIN_BROKEN, _("Case timeline altered"))

MSG_CHAIN_BROKEN = _("The timeline of case %(number)s was altered outside the application: event #%(seq)s.")


def event_chains_verify(*, case_ids=None, chunk_size=5000) -> ChainReport:
    """Every chain (or those of `case_ids`), walked once, streamed."""
    events = CaseEvent.objects.all()
    if case_ids is not None:
        events = events.filter(case_id__in=case_ids)
    return verify_chains(chain_rows(events, chunk_size=chunk_size))


def auditors_tell(report: ChainReport) -> int:
    """One notification per broken link to every auditor; the same finding found again tomorrow is
    not sent twice (the key names the link)."""
    if report.ok:
        return 0
    numbers = dict(Case.objects.filter(pk__in=[link.case_id for link in report.broken]).values_list("pk", "number"))
    auditors = people_with_role(Role.AUDITOR)
    for link in report.broken:
        number = numbers.get(link.case_id, link.case_id)
        key = hashlib.sha256(f"{link.case_id}:{link.event_id}:{link.problem}".encode()).hexdigest()[:32]
        notify(
            CHAIN_BROKEN,
            recipients=auditors,
            text=str(MSG_CHAIN_BROKEN % {"number": number, "seq": link.seq}),
            key=f"chain:{key}",
            subject_ref=str(number),
            url=f"/cases/{number}/",
        )
    return len(report.broken)
