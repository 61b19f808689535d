"""Short coaching for each step, in our own words (shown beside the form for the next step)."""

from django.utils.translation import gettext_lazy as _

STEP_HINTS = {
    "accept": _(
        "Take ownership warmly. No blame, no “that never happens”. Write down what the customer said, in their words."
    ),
    "apologize": _("Apologise sincerely for the trouble this has caused. An apology is not an admission of fault."),
    "acknowledge": _(
        "Say the problem back in your own words and name how the customer feels. Feelings first, facts after."
    ),
    "analyze": _(
        "Ask open questions, then closed ones. Pin down what, when, where, who, why and how, and find the real cause."
    ),
    "offer_alternatives": _(
        "Offer at least two workable options. For each: what we will do, what the customer gains, what it "
        "costs. Start low on compensation."
    ),
    "agree": _(
        "Let the customer choose. Confirm what happens and by when — promise only times you can keep — and "
        "agree the next callback."
    ),
    "assure": _("Deliver, call back whatever the result, check satisfaction and thank the customer for raising it."),
    "close": _("Close once nothing is owed to the customer: every promise kept, or cancelled with a reason."),
    "reopen": _("The customer is back on the same issue. Say why; the case returns to analysis."),
    "withdraw": _(
        "The customer no longer wants this handled. Record when and how they told you, their own words and "
        "the reason; your supervisor is told."
    ),
    "reject": _("Only for complaints that are not valid. Record the reason: it will be reviewed."),
}


# The brief's "start low on concessions": compensation climbs in steps, it does not open at the top.
MSG_START_LOW = _(
    "Option 1 already gives the largest compensation. Start low: offer the smaller concessions first and "
    "keep the larger ones for later."
)


def first_offer_is_largest(options) -> bool:
    """Whether the first option offered (position 1) already gives the most compensation while another
    gives less (equal options climb nowhere, so they are not warned about)."""
    by_position = sorted(options, key=lambda option: option.position)
    if len(by_position) < 2:
        return False
    first, rest = by_position[0].compensation, [option.compensation for option in by_position[1:]]
    return first > 0 and first >= max(rest) and first > min(rest)
