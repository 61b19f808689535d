"""Reads of resolution letters, with their joins planned."""

from .models import Letter, LetterBatch


def case_letters(case):
    """The case's letter versions, newest first (one query when read)."""
    return Letter.objects.filter(case=case).select_related("requested_by", "sent_by").order_by("-version")


def letter_by_id(pk):
    return Letter.objects.select_related("case", "requested_by", "sent_by").filter(pk=pk).first()


def letter_batch_by_id(pk):
    return LetterBatch.objects.select_related("requested_by").filter(pk=pk).first()
