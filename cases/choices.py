"""Enumerations the case lifecycle needs. Intake (complaints/) imports them; cases imports no app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseState(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    APOLOGIZED = "apologized", _("Apologized")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ANALYZED = "analyzed", _("Analyzed")
    ALTERNATIVES_OFFERED = "alternatives_offered", _("Alternatives offered")
    AGREED = "agreed", _("Agreed")
    ASSURED = "assured", _("Assured")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")


TERMINAL_STATES = (CaseState.CLOSED, CaseState.WITHDRAWN, CaseState.REJECTED)
OPEN_STATES = tuple(s for s in CaseState if s not in TERMINAL_STATES)

# The 7A steps in order: (state reached, transition that reaches it, step label).
SEVEN_A_STEPS = (
    (CaseState.ACCEPTED, "accept", _("Accept")),
    (CaseState.APOLOGIZED, "apologize", _("Apologize")),
    (CaseState.ACKNOWLEDGED, "acknowledge", _("Acknowledge")),
    (CaseState.ANALYZED, "analyze", _("Analyze")),
    (CaseState.ALTERNATIVES_OFFERED, "offer_alternatives", _("Alternatives")),
    (CaseState.AGREED, "agree", _("Agreement")),
    (CaseState.ASSURED, "assure", _("Assure")),
)


class Channel(models.TextChoices):
    """Complaint channels, in the brief's order of rising seriousness."""

    INFORMAL = "informal", _("Informal grumble")
    PHONE = "phone", _("Phone hotline")
    RETAIL_HALL = "retail_hall", _("Retail hall")
    WEB = "web", _("E-mail / web")
    LETTER = "letter", _("Letter")
    REGULATOR = "regulator", _("Regulator / third-party body")
    LEGAL = "legal", _("Legal threat / court")


class CustomerTier(models.TextChoices):
    VIP = "vip", _("VIP")
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    STANDARD = "standard", _("Standard")


class Language(models.TextChoices):
    # A context of their own: "English" alone is also the language switcher's label, kept in English.
    CHINESE = "zh-hans", pgettext_lazy("letter language", "Chinese")
    ENGLISH = "en", pgettext_lazy("letter language", "English")


class DeadlineKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class Priority(models.IntegerChoices):
    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Low")


class EmotionalNeed(models.TextChoices):
    BE_HEARD = "be_heard", _("Wants to be heard")
    BE_RESPECTED = "be_respected", _("Wants to be respected")
    BE_TAKEN_SERIOUSLY = "be_taken_seriously", _("Wants to be taken seriously")
    VENT = "vent", _("Needs to vent")
    QUICK_FIX = "quick_fix", _("Wants it fixed quickly")
    REASSURANCE = "reassurance", _("Needs reassurance")


# Priority comes from who complains and how: a VIP on the hotline or anyone threatening court
# goes first. Weights add; the sum maps to a priority (higher tiers are handled first — brief).
TIER_WEIGHT = {CustomerTier.VIP: 3, CustomerTier.GOLD: 2, CustomerTier.SILVER: 1, CustomerTier.STANDARD: 0}
CHANNEL_WEIGHT = {
    Channel.INFORMAL: 0,
    Channel.PHONE: 1,
    Channel.RETAIL_HALL: 1,
    Channel.WEB: 1,
    Channel.LETTER: 1,
    Channel.REGULATOR: 3,
    Channel.LEGAL: 3,
}


def priority_for(tier, channel) -> Priority:
    score = TIER_WEIGHT[CustomerTier(tier)] + CHANNEL_WEIGHT[Channel(channel)]
    if score >= 4:
        return Priority.URGENT
    if score >= 3:
        return Priority.HIGH
    if score >= 1:
        return Priority.NORMAL
    return Priority.LOW


class PromiseKind(models.TextChoices):
    """What a promise to the customer is for (the brief: keep in touch, call back whatever the result)."""

    PROGRESS_UPDATE = "progress_update", _("Progress update")
    FOLLOW_UP = "follow_up", _("Agreed follow-up")
    SATISFACTION_CHECK = "satisfaction_check", _("Satisfaction check")
    COMMITMENT = "commitment", _("Other commitment")


class PromiseState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    KEPT = "kept", _("Kept")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")
    RESCHEDULED = "rescheduled", _("Rescheduled")


# Still owed to the customer: a missed promise is late, not gone (it is kept late or cancelled).
OPEN_PROMISE_STATES = (PromiseState.SCHEDULED, PromiseState.MISSED)
# Kinds that are a call to the customer (the others are things we do, e.g. a refund).
CALL_KINDS = (PromiseKind.PROGRESS_UPDATE, PromiseKind.FOLLOW_UP, PromiseKind.SATISFACTION_CHECK)


class LetterLanguage(models.TextChoices):
    """A resolution letter's language: the customer's by default (Case.customer_language)."""

    CHINESE = "zh-hans", pgettext_lazy("letter language", "Chinese")
    ENGLISH = "en", pgettext_lazy("letter language", "English")
    BILINGUAL = "bilingual", _("Chinese and English")


class LetterState(models.TextChoices):
    RENDERING = "rendering", _("Being prepared")
    READY = "ready", _("Ready to send")
    FAILED = "failed", _("Could not be prepared")
    SENT = "sent", _("Sent")


class LetterBatchState(models.TextChoices):
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Done")
