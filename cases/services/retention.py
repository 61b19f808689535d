"""The retention flag (issue 9, item 7): a case whose customer may leave. Flagged once — at intake
(the agent ticks "wants to leave"), by the agent on the case, or by the agent confirming the churn
words the system found in what the customer said — never silently by the system."""

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput, NotAllowed
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm, text_problem

from .. import events
from ..models import Case
from ..permissions import can_work_case
from ..retention import SOURCE_CUSTOMER_WORDS, churn_words
from .events import case_event_record

SOURCE_INTAKE = "intake_checkbox"
SOURCE_AGENT = "agent"
CHURN_SOURCES = (SOURCE_INTAKE, SOURCE_AGENT, SOURCE_CUSTOMER_WORDS)

MSG_SOURCE = _("Say how the churn risk was noticed: “agent” or “customer_words”.")
MSG_NO_WORDS = _(
    "No churn words (cancel, port out, close the account, 销户, 拆机, 转网) were found in what the customer "
    "said; flag it as your own judgement (“agent”)."
)
MSG_WORDS = _("Give the churn words as text of at most 200 characters.")
MSG_CASE_ENDED = _("This case has ended; it can no longer be flagged.")
MSG_INVALID = _("Check the retention flag: %(fields)s.")


class ChurnFlagInput(StrictInputForm):
    """What a person sends to flag a case (the intake checkbox flags through complaint_log)."""

    source = forms.ChoiceField(
        label=_("How it was noticed"),
        choices=((SOURCE_AGENT, _("My judgement")), (SOURCE_CUSTOMER_WORDS, _("The customer's words"))),
        required=False,
        help_text=_("“customer_words” confirms the churn words found in what the customer said; default “agent”."),
    )


def case_flag_churn_input(*, case, actor, data) -> bool:
    """`case_flag_churn` with a person's input (the page's button, the API body)."""
    source = valid_input(ChurnFlagInput, data, MSG_INVALID)["source"] or SOURCE_AGENT
    return case_flag_churn(case, actor=actor, source=source)


def case_flag_churn(case, *, actor, source, words="", at=None) -> bool:
    """Flag `case` as a retention risk; returns False when it already was (nothing is written).

    `source` "customer_words" without `words` takes the churn words found in what the customer said,
    and refuses when there are none. An intake that attaches a complaint flags the case it attaches
    to, whoever owns it (the customer said so on that call); otherwise the actor must work the case."""
    if source not in CHURN_SOURCES:
        raise InvalidInput(MSG_SOURCE, fields={"source": [MSG_SOURCE]})
    if not isinstance(words, str) or len(words) > 200 or text_problem(words):
        raise InvalidInput(MSG_WORDS, fields={"words": [MSG_WORDS]})
    if source != SOURCE_INTAKE and not can_work_case(case, actor):
        raise NotAllowed()
    if source == SOURCE_CUSTOMER_WORDS and not words:
        words = ", ".join(churn_words(case))
        if not words:
            raise InvalidInput(MSG_NO_WORDS, fields={"source": [MSG_NO_WORDS]})
    at = at or timezone.now()
    with transaction.atomic():
        # Locked and read afresh: two people flagging at once write one flag, and a stale page's copy
        # of the case never overwrites what changed since.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not locked.is_open:
            raise Conflict(MSG_CASE_ENDED)
        if locked.churn_flagged_at is not None:
            case.churn_flagged_at, case.churn_flagged_by_id = locked.churn_flagged_at, locked.churn_flagged_by_id
            return False
        locked.churn_flagged_at, locked.churn_flagged_by, locked.updated_at = at, actor, at
        save_tracked(locked, user=actor, at=at)
        case_event_record(
            case=locked,
            kind=events.CHURN_FLAGGED,
            actor=actor,
            from_state=locked.state,
            to_state=locked.state,
            payload={"source": source, "words": words},
            at=at,
        )
    case.churn_flagged_at, case.churn_flagged_by = at, actor
    return True
