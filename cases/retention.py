"""Retention (issue 9, item 7): churn words in what the customer said, the guidance a flagged case
shows, and the case page's retention panel (registered with the panel registry like any other).

Words only ever suggest: the agent confirms the flag (services/retention.py), and the confirmation
is the `churn_flagged` event with the words found."""

import re

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .panels import register_panel
from .permissions import can_work_case

# The ways customers say they will leave: close the account (销户), have the line removed (拆机),
# move to another operator (转网), keeping their number (携号转网). Chinese anywhere, longest first
# (携号转网 is reported whole, not as 转网); English as whole words with their forms.
CHURN_WORDS_ZH = ("携号转网", "销户", "拆机", "转网")
CHURN_WORDS_EN = (
    r"cancel(?:s|led|ling|lation)?",
    r"port(?:s|ed|ing)?\s+(?:(?:my|our|the)\s+(?:number|line)\s+)?out",
    r"clos(?:e|es|ed|ing)\s+(?:my|our|the)\s+accounts?",
)
_CHURN = re.compile(
    "|".join([*map(re.escape, CHURN_WORDS_ZH), *(rf"\b{form}\b" for form in CHURN_WORDS_EN)]), re.IGNORECASE
)

# What the agent does with a customer who may leave: our own words, from the brief's retention
# material (most customers leave because someone was cold or indifferent, not over the product).
RETENTION_GUIDANCE = (
    (
        _("Acknowledge"),
        _(
            "Take the wish to leave seriously and say so. Do not argue and do not rush to an offer: first show "
            "that you have heard why the customer is this unhappy."
        ),
    ),
    (
        _("Find the real reason"),
        _(
            "Ask what made them decide: the problem in this case, the price, a competitor's offer, a move, how "
            "they were treated. Most customers leave because someone was cold or indifferent; fixing that is "
            "often what keeps them."
        ),
    ),
    (
        _("Offers within your authority"),
        _(
            "Solve the complaint itself first. Then offer what you may grant on your own: a plan that fits their "
            "use better, a loyalty benefit, a goodwill credit within your compensation limit. Start low; never "
            "promise what you cannot keep."
        ),
    ),
    (
        _("Hand over to the desk"),
        _(
            "When the customer insists on leaving after your offers, asks for more than your authority allows, "
            "is a VIP or gold customer, or mentions a competitor's concrete offer: ask for the escalation desk "
            "and note what you offered."
        ),
    ),
)

SOURCE_CUSTOMER_WORDS = "customer_words"


def said(case) -> str:
    """What the customer said, as the case records it: the summary, their own words, the restatement."""
    return "\n".join(text for text in (case.summary, case.customer_words, case.restated_problem) if text)


def churn_words(case) -> list[str]:
    """The churn words in what the customer said, each once, in the order said (at most five)."""
    return list(dict.fromkeys(match.group(0) for match in _CHURN.finditer(said(case))))[:5]


RETENTION_PANEL = "retention"


def _panel(case, user) -> dict:
    flagged = case.churn_flagged_at is not None
    may_flag = not flagged and case.is_open and can_work_case(case, user)
    return {
        "flagged": flagged,
        "guidance": RETENTION_GUIDANCE if flagged else (),
        "may_flag": may_flag,
        "suggested_words": churn_words(case) if may_flag else [],
        "source_customer_words": SOURCE_CUSTOMER_WORDS,
    }


def retention_panel_context(case, user) -> dict:
    # Worked out when the template renders (cases/panels.py); reads only the case (no query).
    return {"panel": SimpleLazyObject(lambda: _panel(case, user))}


def register_case_panels() -> None:
    register_panel(RETENTION_PANEL, template="cases/retention_panel.html", context=retention_panel_context, order=3)
