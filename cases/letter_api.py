"""Resolution letters over the API (issue 10, item 4). Thin: the services check who may, the state,
the input and the wording."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_params import body_dict
from core.api_schema import serializer_from_form
from core.errors import Conflict, NotFound

from .api import CanReadCases, CanWorkCases, OwnerOut
from .choices import LetterState
from .letter_selectors import case_letters, letter_batch_by_id, letter_by_id
from .models import Case
from .services.letter_batches import LetterBatchInput, letter_batch_progress, letter_batch_start
from .services.letters import (
    LetterRequestInput,
    LetterSendInput,
    letter_mark_sent,
    letter_request,
    letter_retry,
    letter_wording,
)

MSG_NO_PDF = _("This version has no PDF: it is “%(state)s”.")
MSG_NO_ZIP = _("The batch is still being prepared: its zip is not ready yet.")


class WordingHitOut(serializers.Serializer):
    where = serializers.CharField(help_text="the text the phrase is in")
    phrase = serializers.CharField()
    suggestion = serializers.CharField()
    before = serializers.CharField()
    match = serializers.CharField(help_text="the words as written")
    after = serializers.CharField()


class LetterOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    version = serializers.IntegerField()
    state = serializers.ChoiceField(choices=LetterState.choices)
    state_label = serializers.CharField(source="get_state_display")
    language = serializers.CharField()
    template_version = serializers.CharField()
    sha256 = serializers.CharField(help_text="of the PDF as stored; empty until it is ready")
    size = serializers.IntegerField(allow_null=True, help_text="bytes")
    requested_by = OwnerOut()
    requested_at = serializers.DateTimeField()
    rendered_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(help_text="why it could not be prepared (state `failed`)")
    sent_at = serializers.DateTimeField(allow_null=True)
    sent_by = OwnerOut(allow_null=True)
    wording_override_reason = serializers.CharField()
    pdf = serializers.SerializerMethodField(help_text="where to download the PDF; null until it is ready")

    def get_pdf(self, letter) -> str | None:
        if letter.state not in (LetterState.READY, LetterState.SENT):
            return None
        return self.context["request"].build_absolute_uri(f"/api/letters/{letter.pk}/pdf")


def _case(pk):
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def _letter(pk):
    letter = letter_by_id(pk)
    if letter is None:
        raise NotFound()
    return letter


def _out(request, letter):
    return LetterOut(_letter(letter.pk), context={"request": request}).data


class CaseLettersApi(APIView):
    def get_permissions(self):
        return [CanWorkCases()] if self.request.method == "POST" else [CanReadCases()]

    @extend_schema(
        operation_id="case_letters_list",
        description="Every version of the case's resolution letter, newest first.",
        responses=LetterOut(many=True),
    )
    def get(self, request, pk):
        return Response(LetterOut(case_letters(_case(pk)), many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="case_letters_generate",
        description="Prepare a new version of the case's resolution letter (version n + 1) in `language` "
        "(`zh-hans`, `en` or `bilingual`; the customer's own by default). It is rendered in the background: "
        "the answer (202) is the version in state `rendering` — or already `ready` where tasks run inline; "
        "read it again until it is `ready` (or `failed`, with `error`, for a retry). 409 before Agreement.",
        request=serializer_from_form(LetterRequestInput, "LetterRequestIn"),
        responses={202: LetterOut},
    )
    def post(self, request, pk):
        letter = letter_request(case=_case(pk), actor=request.user, data=body_dict(request))
        return Response(_out(request, letter), status=status.HTTP_202_ACCEPTED)


class LetterDetailApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(operation_id="letters_read", responses=LetterOut)
    def get(self, request, pk):
        return Response(LetterOut(_letter(pk), context={"request": request}).data)


class LetterPdfApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(
        operation_id="letters_pdf",
        description="The PDF exactly as stored (its SHA-256 is the letter's `sha256`). 409 while it is not ready.",
        responses={(200, "application/pdf"): OpenApiResponse(description="the PDF")},
    )
    def get(self, request, pk):
        letter = _letter(pk)
        if letter.state not in (LetterState.READY, LetterState.SENT) or not letter.file:
            raise Conflict(MSG_NO_PDF % {"state": letter.get_state_display()})
        name = f"{letter.case.number}-v{letter.version}.pdf"
        inline = request.query_params.get("inline") in ("1", "true")
        return FileResponse(
            letter.file.open("rb"), content_type="application/pdf", as_attachment=not inline, filename=name
        )


class LetterWordingApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(
        operation_id="letters_wording",
        description="The wording check: phrases to avoid found in the letter and the agent's customer-facing "
        "notes, with the words around each. Empty when it may be sent.",
        responses=WordingHitOut(many=True),
    )
    def get(self, request, pk):
        return Response(WordingHitOut(letter_wording(_letter(pk)), many=True).data)


class LetterRetryApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="letters_retry",
        description="Render a `failed` version again (202). 409 in any other state.",
        request=None,
        responses={202: LetterOut},
    )
    def post(self, request, pk):
        letter = letter_retry(letter=_letter(pk), actor=request.user)
        return Response(_out(request, letter), status=status.HTTP_202_ACCEPTED)


class LetterSendApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="letters_mark_sent",
        description="Record that this version went to the customer; it can never change afterwards. 400 "
        "(field `wording`) when the wording check finds phrases to avoid — a supervisor may send it anyway "
        "with `override_reason`. 409 unless the version is `ready`.",
        request=serializer_from_form(LetterSendInput, "LetterSendIn"),
        responses={200: LetterOut},
    )
    def post(self, request, pk):
        letter = letter_mark_sent(letter=_letter(pk), actor=request.user, data=body_dict(request))
        return Response(_out(request, letter))


class LetterBatchOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    language = serializers.CharField(help_text="empty: each customer's own")
    requested_by = OwnerOut()
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    total = serializers.SerializerMethodField(help_text="letters in the batch")
    done = serializers.SerializerMethodField(help_text="letters no longer being prepared (ready or failed)")
    failed = serializers.SerializerMethodField()
    skipped = serializers.ListField(child=serializers.DictField(), help_text="cases that got no letter, and why")
    zip = serializers.SerializerMethodField(help_text="the zip of every ready letter, once `state` is `done`")
    archive_sha256 = serializers.CharField()

    def _progress(self, batch):
        if not hasattr(batch, "_progress"):
            batch._progress = letter_batch_progress(batch)
        return batch._progress

    def get_total(self, batch) -> int:
        return self._progress(batch)["total"]

    def get_done(self, batch) -> int:
        return self._progress(batch)["done"]

    def get_failed(self, batch) -> int:
        return self._progress(batch)["failed"]

    def get_zip(self, batch) -> str | None:
        if not batch.archive:
            return None
        return self.context["request"].build_absolute_uri(f"/api/letter-batches/{batch.pk}/zip")


def _batch(pk):
    batch = letter_batch_by_id(pk)
    if batch is None:
        raise NotFound()
    return batch


class LetterBatchStartApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="letter_batches_start",
        description="Letters for many cases at once: a new version for each case in `cases` (ids, 1–200) that "
        "may have one now, in `language` (each customer's own by default), rendered in the background one after "
        "another and then zipped. 202 with the batch; cases that get no letter are in `skipped` with the reason. "
        "400 when none of them can.",
        request=serializer_from_form(LetterBatchInput, "LetterBatchIn"),
        responses={202: LetterBatchOut},
    )
    def post(self, request):
        batch = letter_batch_start(actor=request.user, data=body_dict(request))
        return Response(LetterBatchOut(_batch(batch.pk), context={"request": request}).data, status=202)


class LetterBatchDetailApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(operation_id="letter_batches_read", responses=LetterBatchOut)
    def get(self, request, pk):
        return Response(LetterBatchOut(_batch(pk), context={"request": request}).data)


class LetterBatchZipApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(
        operation_id="letter_batches_zip",
        description="The zip of the batch's letters. 409 while it is being prepared.",
        responses={(200, "application/zip"): OpenApiResponse(description="the zip")},
    )
    def get(self, request, pk):
        batch = _batch(pk)
        if not batch.archive:
            raise Conflict(MSG_NO_ZIP)
        return FileResponse(
            batch.archive.open("rb"), content_type="application/zip", as_attachment=True, filename=f"letters-{pk}.zip"
        )
