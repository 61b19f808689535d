"""Letters for many cases at once (issue 10, item 7): a version per case, rendered in the background
one after another, then one zip to download. The person who asked follows it live: after each letter
is committed, and once the zip is stored, their pages get a `job.progress` push (the notifications
app's socket) with the counts, the state and the zip's link.

Each case is checked as a single request would be (who may, the step it is at, text that fits a
letter); a case that fails is listed in the batch with the reason instead of failing the batch. The
renders are the single letters' own (services/letters.py), so a batch letter is a version like any
other: on the case page, on the record, sent or not like the rest.
"""

import hashlib
import io
import zipfile

from django import forms
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError, InvalidInput
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm
from notifications.services import job_progress_push

from ..choices import LetterBatchState, LetterLanguage, LetterState
from ..letters.content import letter_content_for
from ..models import Case, Letter, LetterBatch
from .letters import letter_check_case, letter_render

MAX_BATCH = 200
MSG_INVALID = _("Check the batch: %(fields)s.")
MSG_CASES = _("Choose between 1 and %(max)d cases.")
MSG_NOTHING = _("None of the chosen cases can have a letter now: %(reasons)s")


class CaseIdsField(forms.Field):
    takes_raw_json = True  # a list, checked here

    def clean(self, value):
        ids = isinstance(value, (list, tuple)) and 1 <= len(value) <= MAX_BATCH
        if ids and all(isinstance(item, int) and not isinstance(item, bool) and 0 < item < 2**63 for item in value):
            return list(dict.fromkeys(value))
        raise forms.ValidationError(MSG_CASES % {"max": MAX_BATCH}, code="cases")


class LetterBatchInput(StrictInputForm):
    cases = CaseIdsField(label=_("Cases"))
    language = forms.ChoiceField(label=_("Language"), choices=LetterLanguage.choices, required=False)


def letter_batch_start(*, actor, data) -> LetterBatch:
    """A batch for the chosen cases (ids), each in `language` or its customer's own."""
    cleaned = valid_input(LetterBatchInput, data, MSG_INVALID)
    language = cleaned["language"]
    with transaction.atomic():
        cases = {case.pk: case for case in Case.objects.select_for_update().filter(pk__in=cleaned["cases"])}
        chosen, skipped = [], []
        for pk in cleaned["cases"]:
            case = cases.get(pk)
            if case is None:
                skipped.append({"case": pk, "number": "", "reason": str(_("No such case."))})
                continue
            try:
                letter_check_case(case, actor)
                letter_content_for(case, language=language or case.customer_language)
            except ApplicationError as error:
                skipped.append({"case": pk, "number": case.number, "reason": str(error.message)})
                continue
            chosen.append(case)
        if not chosen:
            reasons = "; ".join(f"{item['number'] or item['case']}: {item['reason']}" for item in skipped[:5])
            raise InvalidInput(
                MSG_NOTHING % {"reasons": reasons}, fields={"cases": [MSG_NOTHING % {"reasons": reasons}]}
            )
        now = timezone.now()
        batch = LetterBatch(requested_by=actor, requested_at=now, language=language, skipped=skipped)
        save_tracked(batch, user=actor, at=now)
        versions = dict(
            Letter.objects.filter(case__in=chosen).values_list("case_id").annotate(last=Max("version")).order_by()
        )
        letters = [
            Letter(
                case=case,
                version=versions.get(case.pk, 0) + 1,
                language=language or case.customer_language,
                requested_by=actor,
                requested_at=now,
                batch=batch,
            )
            for case in chosen
        ]
        save_tracked(*letters, user=actor, at=now)
        transaction.on_commit(lambda: _queue(batch.pk, len(letters)))
    return batch


def _queue(batch_id, count):
    from ..tasks import letter_batch_task

    letter_batch_task.apply_async((batch_id,), soft_time_limit=60 + 5 * count, time_limit=90 + 5 * count)


def letter_batch_run(batch_id) -> LetterBatch:
    """Render each letter of the batch still waiting, then zip the ones that are ready (the task).
    Each letter's render commits on its own, then its progress goes to the person who asked; the
    last push carries the finished state and the zip's link."""
    batch = LetterBatch.objects.get(pk=batch_id)
    for letter_id in Letter.objects.filter(batch_id=batch_id, state=LetterState.RENDERING).values_list("pk", flat=True):
        letter = letter_render(letter_id)
        _progress_tell(batch, letter)
    batch = _archive(batch_id)
    _progress_tell(batch)
    return batch


def letter_batch_job(batch_id) -> str:
    """The name the batch's pushes go under; its page listens for it (data-batch-job)."""
    return f"letter-batch:{batch_id}"


def letter_batch_progress_message(batch, progress, letter=None) -> dict:
    """What the batch's page is told: the counts (`letter_batch_progress`), the batch's state, the
    zip's link once it is stored, and the letter that just finished (none in the final push)."""
    return {
        "batch": batch.pk,
        "state": batch.state,
        "total": progress["total"],
        "done": progress["done"],
        "failed": progress["failed"],
        "zip": reverse("cases:letter_batch_zip", args=[batch.pk]) if batch.archive else None,
        "letter": None if letter is None else {"id": letter.pk, "state": letter.state, "error": letter.error},
    }


def _progress_tell(batch, letter=None):
    # push_after_commit underneath: in the task (no transaction open) it goes at once, the letter's
    # own transaction having committed; inside a caller's transaction it waits for that commit.
    job_progress_push(
        user_id=batch.requested_by_id,
        job=letter_batch_job(batch.pk),
        data=letter_batch_progress_message(batch, letter_batch_progress(batch), letter),
    )


def _archive(batch_id) -> LetterBatch:
    letters = list(
        Letter.objects.filter(batch_id=batch_id, state__in=(LetterState.READY, LetterState.SENT))
        .select_related("case")
        .order_by("case__number")
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for letter in letters:
            with letter.file.open("rb") as pdf:
                archive.writestr(f"{letter.case.number}-v{letter.version}.pdf", pdf.read())
    data = buffer.getvalue()
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch_id)
        if batch.state != LetterBatchState.RUNNING:
            return batch
        now = timezone.now()
        batch.finish(sha256=hashlib.sha256(data).hexdigest(), at=now)
        batch.archive.save(f"batch-{batch.pk}-{batch.archive_sha256[:16]}.zip", ContentFile(data), save=False)
        save_tracked(batch, user=batch.requested_by, at=now)
    return batch


def letter_batch_progress(batch) -> dict:
    """How far the batch is: letters per state, and the total (one query)."""
    counts = Letter.objects.filter(batch=batch).aggregate(
        total=Count("pk"),
        rendering=Count("pk", filter=Q(state=LetterState.RENDERING)),
        failed=Count("pk", filter=Q(state=LetterState.FAILED)),
    )
    counts["done"] = counts["total"] - counts["rendering"]
    return counts
