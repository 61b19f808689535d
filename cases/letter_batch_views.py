"""Letters for many cases at once, from the queue page (issue 10, item 7): start a batch, watch its
progress (pushed live to the person who asked: static/js/live.js), download the zip."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import can_log_complaints
from core.errors import ApplicationError, NotAllowed
from core.forms import service_error_messages

from .choices import LetterState
from .letter_selectors import letter_batch_by_id
from .services.letter_batches import letter_batch_job, letter_batch_progress, letter_batch_start
from .views import require_reader


@login_required
@require_POST
def letter_batch_start_view(request):
    if not can_log_complaints(request.user):  # auditors read, never write
        raise PermissionDenied
    # The queue's check boxes send case ids as text; anything else is refused by the service.
    ids = [int(value) if value.isdecimal() and len(value) < 19 else value for value in request.POST.getlist("case")]
    try:
        batch = letter_batch_start(
            actor=request.user, data={"cases": ids, "language": request.POST.get("language", "")}
        )
    except NotAllowed:
        raise PermissionDenied from None
    except ApplicationError as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
        return redirect(request.POST.get("next") or reverse("cases:queue"))
    return redirect("cases:letter_batch", pk=batch.pk)


def _batch(pk):
    batch = letter_batch_by_id(pk)
    if batch is None:
        raise Http404
    return batch


@login_required
def letter_batch_view(request, pk):
    require_reader(request.user)
    batch = _batch(pk)
    return render(
        request,
        "cases/letter_batch.html",
        {
            "batch": batch,
            "progress": letter_batch_progress(batch),
            "letters": batch.letters.select_related("case"),
            "job": letter_batch_job(batch.pk),
            "state_labels": LetterState.choices,
        },
    )


@login_required
def letter_batch_zip_view(request, pk):
    require_reader(request.user)
    batch = _batch(pk)
    if not batch.archive:
        raise Http404
    return FileResponse(batch.archive.open("rb"), as_attachment=True, filename=f"letters-{batch.pk}.zip")
