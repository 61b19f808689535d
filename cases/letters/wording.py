"""The wording check before a letter is sent (issue 10, item 6): the letter's text and the agent's
customer-facing notes against the phrases that inflame (AvoidPhrase, admin-edited, seeded with the
brief's list). A hit blocks "mark as sent" and is shown with the words around it; a supervisor may
let it go with a reason, which the letter keeps."""

import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..models import AvoidPhrase
from ..reference import cached

CONTEXT = 20  # characters shown either side of a hit

# The case's customer-facing texts, by the label the agent knows them under.
CUSTOMER_FACING = (
    ("apology_text", _("Apology given")),
    ("restated_problem", _("Problem restated in our words")),
    ("follow_up_note", _("Follow-up note")),
)


@dataclass(frozen=True)
class WordingHit:
    where: str  # the text's label
    phrase: str
    suggestion: str
    before: str
    match: str
    after: str


@functools.lru_cache(maxsize=1024)
def _pattern(phrase):
    # Positions in the text as written (casefold() may change a string's length); straight and curly
    # apostrophes alike ("that's" / "that’s").
    return re.compile(re.escape(phrase.replace("’", "'")).replace("'", "['’]"), re.IGNORECASE)


def active_phrases() -> list[AvoidPhrase]:
    return cached(AvoidPhrase, lambda: list(AvoidPhrase.objects.filter(active=True)))


def wording_hits(texts) -> list[WordingHit]:
    """Every active phrase found in `texts` ((label, text) pairs), case-insensitively, in the order
    of the texts and of the place found; each place once (the longest phrase found there)."""
    phrases = sorted(active_phrases(), key=lambda p: -len(p.text))
    hits = []
    for label, text in texts:
        text, found_here = text or "", []
        for phrase in phrases:
            for match in _pattern(phrase.text).finditer(text):
                found, end = match.span()
                if any(found < other_end and other_start < end for other_start, other_end, _hit in found_here):
                    continue  # inside a longer phrase already found
                hit = WordingHit(
                    where=str(label),
                    phrase=phrase.text,
                    suggestion=phrase.suggestion,
                    before=text[max(0, found - CONTEXT) : found],
                    match=text[found:end],
                    after=text[end : end + CONTEXT],
                )
                found_here.append((found, end, hit))
        hits += [hit for _start, _end, hit in sorted(found_here, key=lambda item: item[0])]
    return hits


def case_texts(case, content) -> list[tuple]:
    """What the customer reads: the letter's own user-written parts (`content`, a LetterContent) and
    the agent's customer-facing notes on the case."""
    texts = [(label, getattr(case, name)) for name, label in CUSTOMER_FACING]
    texts.append((_("Agreed solution"), content.solution_action))
    texts.append((_("Benefit to the customer"), content.solution_benefit))
    texts += [(_("What we promise"), description) for description, _due in content.commitments]
    return texts
