from .assignment import case_assign, case_assignable_users
from .creation import case_open
from .escalation_status import case_escalation_status_set
from .events import case_event_record
from .priority import case_reprioritize
from .promises import promise_call, promise_cancel, promise_make, promise_reschedule
from .retention import case_flag_churn
from .transitions import TRANSITIONS, case_record_first_contact, case_transition, transitions_available

__all__ = [
    "TRANSITIONS",
    "case_assign",
    "case_assignable_users",
    "case_escalation_status_set",
    "case_event_record",
    "case_flag_churn",
    "case_open",
    "case_record_first_contact",
    "case_reprioritize",
    "case_transition",
    "promise_call",
    "promise_cancel",
    "promise_make",
    "promise_reschedule",
    "transitions_available",
]
