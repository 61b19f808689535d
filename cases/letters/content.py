"""What a resolution letter shows, as plain values: the renderer never sees an ORM object, so a
letter can be rendered again later from what was recorded, and tests build one directly."""

import dataclasses
import zoneinfo
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.people import display_name
from core.errors import InvalidInput

from ..choices import CALL_KINDS, OPEN_PROMISE_STATES, Language, PromiseKind, PromiseState

BILINGUAL = "bilingual"
LETTER_LANGUAGES = (Language.CHINESE.value, Language.ENGLISH.value, BILINGUAL)

# Per text field, and for all of a letter's text together: far above any real letter (a page holds
# about 1,500 Chinese characters), low enough that a pasted log or a hostile input cannot make a
# worker lay out hundreds of pages.
LETTER_TEXT_LIMIT = 20_000
LETTER_TOTAL_LIMIT = 60_000

MSG_TOO_LONG = _("%(field)s is too long for a letter: %(length)s characters, at most %(limit)s.")
MSG_TOTAL_TOO_LONG = _("The letter's text is too long: %(length)s characters, at most %(limit)s.")
MSG_LANGUAGE = _("Unknown letter language: %(language)s.")

FIELD_LABELS = {
    "number": _("case number"),
    "customer_name": _("customer name"),
    "apology": _("apology given"),
    "problem": _("problem restated"),
    "solution_action": _("what we will do"),
    "solution_benefit": _("benefit to the customer"),
    "commitments": _("commitments"),
    "contact_name": _("contact person"),
    "contact_phone": _("contact phone"),
    "contact_email": _("contact e-mail"),
    "organisation_name_zh": _("organisation name (Chinese)"),
    "organisation_name_en": _("organisation name (English)"),
}


class LetterTextTooLong(InvalidInput, ValueError):
    """A field (or all of them) is longer than a letter may be; `fields` names which."""


def _zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclasses.dataclass(frozen=True)
class LetterContent:
    language: str  # "zh-hans" | "en" | "bilingual"
    number: str
    customer_name: str
    issued_on: date
    received_on: date
    apology: str
    problem: str
    solution_action: str
    solution_benefit: str
    compensation: Decimal | None  # None when nothing is paid
    commitments: tuple[tuple[str, datetime], ...]  # (what we will do, by when: aware)
    next_callback_at: datetime | None  # aware
    contact_name: str
    contact_phone: str
    contact_email: str
    organisation_name_zh: str
    organisation_name_en: str

    def __post_init__(self):
        if self.language not in LETTER_LANGUAGES:
            raise InvalidInput(MSG_LANGUAGE % {"language": self.language})
        check_lengths(self)

    def texts(self):
        """(field name, text) for every free text the letter shows."""
        for field in FIELD_LABELS:
            if field == "commitments":
                for description, _due in self.commitments:
                    yield field, description
            else:
                yield field, getattr(self, field)


def check_lengths(content: LetterContent) -> None:
    total = 0
    for field, text in content.texts():
        length = len(text or "")
        total += length
        if length > LETTER_TEXT_LIMIT:
            message = MSG_TOO_LONG % {"field": FIELD_LABELS[field], "length": length, "limit": LETTER_TEXT_LIMIT}
            raise LetterTextTooLong(message, fields={field: [message]})
    if total > LETTER_TOTAL_LIMIT:
        message = MSG_TOTAL_TOO_LONG % {"length": total, "limit": LETTER_TOTAL_LIMIT}
        raise LetterTextTooLong(message, fields={"__all__": [message]})


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment, _zone()).date()


def letter_content_for(case, *, language: str | None = None, issued_on: date | None = None) -> LetterContent:
    """The letter for an agreed case (three queries: the option, the owner, the promises).

    Commitments are the Agreement's "other commitment" promises still standing (scheduled, kept or
    late; a cancelled or rescheduled one is replaced by its successor or gone). The next callback is
    the earliest call still owed: `case.next_callback_at` is the earliest of *any* promise, which may
    be a commitment rather than a call.
    """
    option = case.chosen_option
    promises = list(
        case.promises.filter(kind__in=(PromiseKind.COMMITMENT, *CALL_KINDS))
        .exclude(state__in=(PromiseState.CANCELLED, PromiseState.RESCHEDULED))
        .order_by("due_at", "id")
        .values_list("kind", "state", "description", "due_at")
    )
    commitments = tuple((d, due) for kind, _state, d, due in promises if kind == PromiseKind.COMMITMENT)
    calls = [due for kind, state, _d, due in promises if kind in CALL_KINDS and state in OPEN_PROMISE_STATES]
    compensation = option.compensation if option is not None and option.compensation else None
    letters = settings.LETTERS
    return LetterContent(
        language=language or case.customer_language,
        number=case.number,
        customer_name=case.customer_name,
        issued_on=issued_on or timezone.localdate(timezone=_zone()),
        received_on=_local_date(case.first_contact_at or case.created_at),
        apology=case.apology_text,
        problem=case.restated_problem,
        solution_action=option.action if option is not None else "",
        solution_benefit=option.benefit if option is not None else "",
        compensation=compensation,
        commitments=commitments,
        next_callback_at=calls[0] if calls else None,
        contact_name=display_name(case.owner),
        contact_phone=letters["CONTACT_PHONE"],
        contact_email=letters["CONTACT_EMAIL"],
        organisation_name_zh=letters["ORGANISATION_NAME_ZH"],
        organisation_name_en=letters["ORGANISATION_NAME_EN"],
    )
