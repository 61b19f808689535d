"""Customer types the system suggests for the agent to confirm — never applied silently (issue 9,
item 6): words of a legal or regulator threat in what the customer said suggest the legal type; a
customer with REPEAT_THRESHOLD or more complaints in REPEAT_DAYS (complaints/selectors.py) suggests
the chronic complainer. Confirming is tagging (services.py), which puts who confirmed, when and why on the record."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaints.selectors import REPEAT_DAYS, case_repeat_complainants

LEGAL = "legal"
CHRONIC_COMPLAINER = "chronic_complainer"
# A lawyer, a lawsuit, a court, the regulators customers name (工信部, its 12300 complaint line, 消协).
# English words whole, with their forms ("issue" is not "sue", "courteous" not "court"); Chinese ones
# anywhere.
LEGAL_WORDS_ZH = ("律师", "起诉", "法院", "工信部", "12300", "消协")
LEGAL_WORDS_EN = (r"lawyers?", r"su(?:e|es|ed|ing)", r"courts?", r"regulators?")
_LEGAL = re.compile(
    "|".join([*map(re.escape, LEGAL_WORDS_ZH), *(rf"\b{form}\b" for form in LEGAL_WORDS_EN)]), re.IGNORECASE
)
MSG_LEGAL_WORDS = _("The customer's words mention “%(words)s”.")


@dataclass(frozen=True)
class Suggestion:
    code: str
    reason: str


def _said(case) -> str:
    return "\n".join(text for text in (case.summary, case.customer_words, case.restated_problem) if text)


def suggestions_for(case, tagged_codes) -> list[Suggestion]:
    """Types worth tagging on `case` that it does not have yet, each with why."""
    found = []
    if LEGAL not in tagged_codes:
        words = list(dict.fromkeys(match.group(0) for match in _LEGAL.finditer(_said(case))))
        if words:
            found.append(Suggestion(LEGAL, str(MSG_LEGAL_WORDS % {"words": "”, “".join(words[:5])})))
    if CHRONIC_COMPLAINER not in tagged_codes:
        # The case page reads the complaints once for every panel (complaints_of_case).
        repeats = case_repeat_complainants(case)
        if repeats:
            found.append(Suggestion(CHRONIC_COMPLAINER, _repeat_reason(max(r.complaints for r in repeats))))
    return found


def _repeat_reason(count) -> str:
    return ngettext(
        "%(n)d complaint from this customer in the last %(days)d days, on any case.",
        "%(n)d complaints from this customer in the last %(days)d days, on any case.",
        count,
    ) % {"n": count, "days": REPEAT_DAYS}
