"""The case page's resolution letters (issue 10): the panel, and the posts it makes — generate a
version, retry a failed one, mark one as sent — each answered with a redirect to the panel and a
message; and the PDF itself, to preview (inline) or download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Role, roles_of
from core.errors import ApplicationError, NotAllowed
from core.forms import service_error_messages

from .choices import CaseState, LetterLanguage, LetterState
from .letter_selectors import case_letters
from .models import Letter
from .panels import register_panel
from .permissions import can_work_case
from .services.letters import LETTER_STATES, letter_mark_sent, letter_request, letter_retry, letter_wording
from .views import case_or_404, require_reader

LETTERS_PANEL = "letters"


def _panel(case, user) -> dict:
    # Letters exist from Agreement on; a case that never got there costs the page no query.
    letters = list(case_letters(case)) if case.state in (*LETTER_STATES, CaseState.CLOSED) else []
    may_work = case.is_open and can_work_case(case, user)
    ready = next((letter for letter in letters if letter.state == LetterState.READY), None)
    return {
        "letters": letters,
        "may_generate": may_work and case.state in LETTER_STATES,
        "may_work": may_work,
        "languages": LetterLanguage.choices,
        "default_language": case.customer_language,
        "sent": next((letter for letter in letters if letter.state == LetterState.SENT), None),
        "ready": ready,
        "wording": letter_wording(ready) if ready is not None and may_work else [],
        "supervisor": Role.SUPERVISOR in roles_of(user),
        "rendering": any(letter.state == LetterState.RENDERING for letter in letters),
    }


def letters_panel_context(case, user) -> dict:
    # Worked out when the template renders: before Agreement, a case with no letter costs no query.
    return {"panel": SimpleLazyObject(lambda: _panel(case, user))}


def register_case_panels() -> None:
    register_panel(LETTERS_PANEL, template="cases/letters_panel.html", context=letters_panel_context, order=4)


def _letter_of(case, pk):
    letter = Letter.objects.select_related("case").filter(case=case, pk=pk).first()
    if letter is None:
        raise Http404
    return letter


def _act(request, number, do, done):
    require_reader(request.user)
    case = case_or_404(number)
    back = redirect(reverse("cases:detail", args=[number]) + "#letters")
    try:
        result = do(case)
    except NotAllowed:
        raise PermissionDenied from None
    except ApplicationError as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
        return back
    messages.success(request, done(result))
    return back


def _state_message(letter):
    if letter.state == LetterState.FAILED:
        return letter.error
    if letter.state == LetterState.READY:
        return _("Version %(version)d of the letter is ready: preview it before you send it.") % {
            "version": letter.version
        }
    return _("Version %(version)d of the letter is being prepared.") % {"version": letter.version}


def _fresh(letter):
    return Letter.objects.get(pk=letter.pk)


@login_required
@require_POST
def letter_request_view(request, number):
    return _act(
        request,
        number,
        lambda case: _fresh(
            letter_request(case=case, actor=request.user, data={"language": request.POST.get("language", "")})
        ),
        _state_message,
    )


@login_required
@require_POST
def letter_retry_view(request, number, pk):
    return _act(
        request,
        number,
        lambda case: _fresh(letter_retry(letter=_letter_of(case, pk), actor=request.user)),
        _state_message,
    )


@login_required
@require_POST
def letter_send_view(request, number, pk):
    data = {"override_reason": request.POST.get("override_reason", "")}
    return _act(
        request,
        number,
        lambda case: letter_mark_sent(letter=_letter_of(case, pk), actor=request.user, data=data),
        lambda letter: (
            _("Version %(version)d is recorded as sent; it can no longer change.") % {"version": letter.version}
        ),
    )


@login_required
def letter_pdf_view(request, number, pk):
    require_reader(request.user)
    letter = _letter_of(case_or_404(number), pk)
    if letter.state not in (LetterState.READY, LetterState.SENT) or not letter.file:
        raise Http404
    return FileResponse(
        letter.file.open("rb"),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=f"{number}-v{letter.version}.pdf",
    )
