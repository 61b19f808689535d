"""Hooks other apps register with, so the case lifecycle never imports them.

`case_event_recorded` is sent inside the writing transaction, right after the CaseEvent row is
written. Receivers that cause side effects (notifications, escalation rules) must defer them with
`transaction.on_commit`.
"""

from django.dispatch import Signal

# kwargs: case, event, actor
case_event_recorded = Signal()
