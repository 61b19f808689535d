"""Resolution letters (issue 10): a new version on request, rendered in the background, marked as
sent once its wording passes — or a supervisor lets it pass with a reason.

A request creates the version at once (state `rendering`) and queues the task after commit; the
task renders outside any transaction, then stores the PDF through the storage API and records the
`letter_generated` event. A render that fails marks the version `failed` with the reason and leaves
the case as it was; the agent retries it.
"""

import hashlib
import time

from celery.exceptions import SoftTimeLimitExceeded
from django import forms
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from accounts.roles import Role, roles_of
from core.errors import Conflict, InvalidInput, NotAllowed
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm

from .. import events
from ..choices import CaseState, LetterLanguage, LetterState
from ..evidence import TEXT_LIMIT
from ..letters import TEMPLATE_VERSION
from ..letters.content import letter_content_for
from ..letters.rendering import render_letter_pdf
from ..letters.wording import case_texts, wording_hits
from ..models import Case, Letter
from ..permissions import can_work_case
from .events import case_event_record

# A letter tells the customer what was agreed: there is one to write from Agreement on.
LETTER_STATES = (CaseState.AGREED, CaseState.ASSURED)

MSG_NOT_YET = _("A resolution letter is written once the customer has agreed to a solution.")
MSG_STATE = _("This letter is “%(state)s”: it cannot be %(action)s.")
MSG_WORDING = _(
    "The letter or your notes use phrases that inflame (%(phrases)s). Reword them, or ask a supervisor "
    "to send it anyway with a reason."
)
MSG_OVERRIDE_ROLE = _("Only a supervisor may send a letter the wording check stopped.")
MSG_OVERRIDE_NEEDLESS = _("The wording check found nothing: there is nothing to override.")
MSG_RENDER_FAILED = _("The letter could not be prepared: %(reason)s")
MSG_INVALID = _("Check the letter: %(fields)s.")
ACTIONS = {"retry": pgettext_lazy("letter action", "retried"), "send": pgettext_lazy("letter action", "sent")}
MSG_TOO_LONG = _("it took longer than %(seconds)d seconds")

# The Celery task's soft time limit (tasks.py): rendering takes well under a second.
LETTER_SOFT_LIMIT_SECONDS = 20


class LetterRequestInput(StrictInputForm):
    language = forms.ChoiceField(label=_("Language"), choices=LetterLanguage.choices, required=False)


class LetterSendInput(StrictInputForm):
    override_reason = forms.CharField(
        label=_("Why it may go out as worded"), max_length=TEXT_LIMIT, required=False, strip=True
    )


def letter_check_case(case, actor):
    """403 unless `actor` works this case; 409 before Agreement (a single letter and a batch alike)."""
    if not can_work_case(case, actor):
        raise NotAllowed()
    if case.state not in LETTER_STATES:
        raise Conflict(MSG_NOT_YET)


def letter_request(*, case, actor, data=None) -> Letter:
    """Version n + 1 of the case's letter, in the language asked for (the customer's by default),
    queued for rendering."""
    cleaned = valid_input(LetterRequestInput, data or {}, MSG_INVALID)
    letter_check_case(case, actor)
    language = cleaned["language"] or case.customer_language
    letter_content_for(case, language=language)  # too long for a letter: 400 naming the field, now
    with transaction.atomic():
        # Versions are numbered per case: the case row serialises two requests at once.
        case = Case.objects.select_for_update().get(pk=case.pk)
        letter_check_case(case, actor)
        last = case.letters.aggregate(last=Max("version"))["last"] or 0
        letter = Letter(case=case, version=last + 1, language=language, requested_by=actor)
        save_tracked(letter, user=actor, at=letter.requested_at)
        transaction.on_commit(lambda: _queue(letter.pk))
    return letter


def _queue(letter_id):
    from ..tasks import letter_render_task

    letter_render_task.delay(letter_id)


def letter_render(letter_id) -> Letter | None:
    """Render a queued version (the Celery task's body). Returns the letter, None if it is gone."""
    letter = Letter.objects.select_related("case", "case__owner", "case__chosen_option").filter(pk=letter_id).first()
    if letter is None or letter.state != LetterState.RENDERING:
        return letter
    started = time.perf_counter()
    try:
        pdf = render_letter_pdf(letter_content_for(letter.case, language=letter.language))
    except Exception as error:
        return _failed(letter, error)
    render_ms = round((time.perf_counter() - started) * 1000)
    now = timezone.now()
    try:
        with transaction.atomic():
            letter = Letter.objects.select_for_update(of=("self",)).select_related("case").get(pk=letter.pk)
            if letter.state != LetterState.RENDERING:
                return letter
            letter.rendered(
                sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), template_version=TEMPLATE_VERSION,
                render_ms=render_ms, at=now,
            )  # fmt: skip
            letter.file.save("letter.pdf", ContentFile(pdf), save=False)
            save_tracked(letter, user=letter.requested_by, at=now)
            case_event_record(
                case=letter.case, kind=events.LETTER_GENERATED, actor=letter.requested_by,
                from_state=letter.case.state, to_state=letter.case.state,
                payload={
                    "letter": letter.pk, "version": letter.version, "language": letter.language,
                    "sha256": letter.sha256, "size": letter.size, "template_version": letter.template_version,
                },
                at=now,
            )  # fmt: skip
    except ConcurrentTransition:
        return Letter.objects.get(pk=letter.pk)
    return letter


def _failed(letter, error) -> Letter:
    if isinstance(error, SoftTimeLimitExceeded):
        reason = MSG_TOO_LONG % {"seconds": LETTER_SOFT_LIMIT_SECONDS}
    else:
        reason = str(getattr(error, "message", None) or error) or error.__class__.__name__
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.state == LetterState.RENDERING:
            letter.failed(error=str(MSG_RENDER_FAILED % {"reason": reason[:500]}))
            letter.attempts += 1
            save_tracked(letter, user=letter.requested_by)
    return letter


def _step(letter, name, actor):
    method = getattr(letter, name)
    if not can_proceed(method):
        raise Conflict(MSG_STATE % {"state": letter.get_state_display(), "action": ACTIONS[name]})
    if not has_transition_perm(method, actor):
        raise NotAllowed()
    return method


def letter_retry(*, letter, actor) -> Letter:
    with transaction.atomic():
        letter = Letter.objects.select_for_update(of=("self",)).select_related("case").get(pk=letter.pk)
        _step(letter, "retry", actor)()
        letter.attempts += 1
        save_tracked(letter, user=actor)
        transaction.on_commit(lambda: _queue(letter.pk))
    return letter


def letter_wording(letter):
    """The wording check's hits for `letter` (its case's current texts and the letter's own)."""
    case = letter.case
    return wording_hits(case_texts(case, letter_content_for(case, language=letter.language)))


def letter_mark_sent(*, letter, actor, data=None) -> Letter:
    """The letter went out. Blocked while the wording check finds phrases to avoid, unless a
    supervisor sends it anyway with a reason (kept on the letter and in the event)."""
    cleaned = valid_input(LetterSendInput, data or {}, MSG_INVALID)
    override = cleaned["override_reason"]
    try:
        with transaction.atomic():
            letter = (
                Letter.objects.select_for_update(of=("self",))
                .select_related("case", "case__chosen_option")
                .get(pk=letter.pk)
            )
            send = _step(letter, "send", actor)
            hits = letter_wording(letter)
            if override and not hits:
                raise InvalidInput(fields={"override_reason": [MSG_OVERRIDE_NEEDLESS]})
            if hits and not override:
                phrases = "、".join(dict.fromkeys(f"“{hit.phrase}”" for hit in hits))
                raise InvalidInput(
                    MSG_WORDING % {"phrases": phrases}, fields={"wording": [MSG_WORDING % {"phrases": phrases}]}
                )
            if hits and Role.SUPERVISOR not in roles_of(actor):
                raise NotAllowed(MSG_OVERRIDE_ROLE)
            now = timezone.now()
            send(by=actor, at=now, override_by=actor if override else None, override_reason=override)
            save_tracked(letter, user=actor, at=now, reason=override or None)
            case = letter.case
            case_event_record(
                case=case, kind=events.LETTER_SENT, actor=actor, from_state=case.state, to_state=case.state,
                reason=override,
                payload={
                    "letter": letter.pk, "version": letter.version, "sha256": letter.sha256,
                    "wording_overridden": list(dict.fromkeys(hit.phrase for hit in hits)),
                },
                at=now,
            )  # fmt: skip
    except ConcurrentTransition:
        raise Conflict() from None
    return letter
