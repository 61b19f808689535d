"""Hooks other apps register with, so the case lifecycle never imports them.

`case_event_recorded` is sent inside the writing transaction, right after the CaseEvent row is
written. Receivers that cause side effects (notifications, escalation rules) must defer them with
`transaction.on_commit`.
"""

from django.dispatch import Signal

# kwargs: case, event, actor
case_event_recorded = Signal()

# A case needs the escalation desk's eyes: a second missed promise, a breached deadline. kwargs: case,
# trigger (a code: "promises_missed", …), detail (dict). Sent inside the transaction that recorded the
# `escalation_triggered` case event; the escalation app registers a receiver (issue 9).
escalation_triggered = Signal()
