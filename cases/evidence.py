"""The evidence each transition needs (the brief's 7A table), as forms.

The same forms validate HTML posts and API payloads, so a rule exists once. Views turn a POST into
a plain dict first (lists for options and commitments); the service hands it to these forms.
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.inputs import StrictInputForm, range_problem

from .business_calendar import hours_label, next_business_slot, within_business_hours
from .choices import Channel, EmotionalNeed, LetterState
from .models import Category, Letter, NoLetterReason, ResponsibleUnit
from .reference import ReferenceChoiceField
from .widgets import LocalDateTimeInput

TEXT_LIMIT = 4000
# A first contact can be logged a little after the fact, but never in the future (clock skew aside).
CLOCK_SKEW = timedelta(minutes=5)


def _not_future(value):
    if value and value > timezone.now() + CLOCK_SKEW:
        raise ValidationError(_("This time is in the future."))


def _in_future(value):
    if value and value <= timezone.now():
        raise ValidationError(_("Promise a time in the future."))


# A promised call must be one the team can make: inside business hours, unless the customer asked for
# that time (then the promise records so). A thing we promise to do has no such tick: the customer's
# wish does not make us work on a holiday, and a day off cannot be when we keep it
# (cases/business_calendar.py has the rules).
MSG_OUTSIDE_HOURS = _(
    "Outside business hours (%(hours)s on working days). The next slot is %(slot)s — or tick “%(tick)s”."
)
MSG_OUTSIDE_HOURS_WORK = _(
    "Outside business hours (%(hours)s on working days): nobody would be there to do it. The next slot is %(slot)s."
)
PROPOSED_LEAD = timedelta(hours=2)
MSG_LETTER_OR_REASON = _(
    "Choose the resolution letter that was sent, or say why no letter is needed (mark the letter as sent first)."
)
MSG_LETTER_AND_REASON = _("A letter was sent: leave “why no letter is needed” empty.")


def proposed_time():
    """The time a form proposes for a promise: the first business slot two hours from now."""
    return next_business_slot(timezone.now() + PROPOSED_LEAD)


def refuse_outside_business_hours(form, field, *, chosen_by_customer=None):
    """Add an error to `field` when its time is outside business hours. `chosen_by_customer` names the
    form's "the customer asked for this time" tick: ticked, any time is accepted; None, there is none."""
    value = form.cleaned_data.get(field)
    # Out of range (year 9999): StrictInputForm refuses it after this clean, with its own message.
    if value is None or range_problem(value) or within_business_hours(value):
        return
    if chosen_by_customer and form.cleaned_data.get(chosen_by_customer):
        return
    params = {
        "hours": hours_label(),
        "slot": timezone.localtime(next_business_slot(value)).strftime("%Y-%m-%d %H:%M"),
    }
    if chosen_by_customer:
        message, params["tick"] = MSG_OUTSIDE_HOURS, form.fields[chosen_by_customer].label
    else:
        message = MSG_OUTSIDE_HOURS_WORK
    form.add_error(field, ValidationError(message, code="outside_business_hours", params=params))


class ListOfFormsField(forms.Field):
    """A list of small records (options, commitments), each validated by `item_form`."""

    takes_raw_json = True  # checks its own structure; each record's fields are checked by its form

    default_error_messages = {
        "not_a_list": _("Expected a list of entries."),
        "too_few": _("Give at least %(min)d entries."),
        "too_many": _("Give at most %(max)d entries."),
    }

    def __init__(self, *, item_form, item_label, min_items=0, max_items=10, **kwargs):
        self.item_form, self.item_label = item_form, item_label
        self.min_items, self.max_items = min_items, max_items
        super().__init__(**kwargs)

    def clean(self, value):
        if value in (None, "", [], ()):
            value = []
        if not isinstance(value, (list, tuple)):
            raise ValidationError(self.error_messages["not_a_list"], code="not_a_list")
        cleaned, errors = [], []
        for index, item in enumerate(value, start=1):
            item_form = self.item_form(item if isinstance(item, dict) else {})
            if item_form.is_valid():
                cleaned.append(item_form.cleaned_data)
                continue
            for name, messages in item_form.errors.items():
                label = item_form.fields[name].label if name in item_form.fields else ""
                for message in messages:
                    errors.append(
                        ValidationError(
                            _("%(item)s %(index)d — %(field)s: %(message)s"),
                            params={"item": self.item_label, "index": index, "field": label, "message": message},
                        )
                    )
        if errors:
            raise ValidationError(errors)
        if len(cleaned) < self.min_items:
            raise ValidationError(self.error_messages["too_few"], code="too_few", params={"min": self.min_items})
        if len(cleaned) > self.max_items:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"max": self.max_items})
        return cleaned


class EvidenceForm(StrictInputForm):
    """Base: forms receive the case so cross-checks (e.g. the chosen option exists) can see it."""

    def __init__(self, data=None, *, case=None, **kwargs):
        self.case = case
        super().__init__(data, **kwargs)


class AcceptEvidence(EvidenceForm):
    first_contact_at = forms.DateTimeField(
        label=_("First contact"), widget=LocalDateTimeInput(), validators=[_not_future]
    )
    customer_words = forms.CharField(label=_("The customer's own words"), max_length=TEXT_LIMIT)


class ApologizeEvidence(EvidenceForm):
    apology_text = forms.CharField(label=_("Apology given"), max_length=TEXT_LIMIT)


class AcknowledgeEvidence(EvidenceForm):
    restated_problem = forms.CharField(label=_("Problem restated in our words"), max_length=TEXT_LIMIT)
    emotional_needs = forms.MultipleChoiceField(
        label=_("Emotional needs noted"), choices=EmotionalNeed.choices, widget=forms.CheckboxSelectMultiple
    )


FACT_FIELDS = (
    ("what", _("What happened")),
    ("when", _("When")),
    ("where", _("Where")),
    ("who", _("Who was involved")),
    ("why", _("Why (as the customer sees it)")),
    ("how", _("How it happened")),
)
REQUIRED_FACTS = ("what", "when", "who")


class AnalyzeEvidence(EvidenceForm):
    root_cause = forms.CharField(label=_("Root cause"), max_length=TEXT_LIMIT)
    category = ReferenceChoiceField(label=_("Category"), queryset=Category.objects.filter(active=True))
    responsible_unit = ReferenceChoiceField(
        label=_("Responsible unit"), queryset=ResponsibleUnit.objects.filter(active=True)
    )
    desired_outcome = forms.CharField(label=_("Customer's desired outcome"), max_length=TEXT_LIMIT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 5W1H: what, when and who are always knowable; where, why and how may not apply.
        for key, label in FACT_FIELDS:
            self.fields[f"fact_{key}"] = forms.CharField(
                label=label, max_length=TEXT_LIMIT, required=key in REQUIRED_FACTS
            )
        self.order_fields([f"fact_{key}" for key, _label in FACT_FIELDS])

    def clean(self):
        data = super().clean()
        data["facts"] = {key: data.pop(f"fact_{key}", "") or "" for key, _label in FACT_FIELDS}
        return data


class OptionItem(StrictInputForm):
    action = forms.CharField(label=_("What we will do"), max_length=1000)
    benefit = forms.CharField(label=_("Benefit to the customer"), max_length=1000)
    compensation = forms.DecimalField(
        label=_("Compensation"), min_value=0, max_digits=10, decimal_places=2, required=False
    )

    def clean_compensation(self):
        return self.cleaned_data.get("compensation") or 0


class AlternativesEvidence(EvidenceForm):
    # The brief's rule: always offer the customer at least two options to choose from.
    options = ListOfFormsField(
        item_form=OptionItem, item_label=_("Option"), min_items=2, max_items=5, label=_("Options")
    )


class CommitmentItem(StrictInputForm):
    description = forms.CharField(label=_("What we promise"), max_length=1000)
    due_at = forms.DateTimeField(label=_("Due"), widget=LocalDateTimeInput(), validators=[_in_future])

    def clean(self):
        data = super().clean()
        refuse_outside_business_hours(self, "due_at")
        return data


class AgreeEvidence(EvidenceForm):
    chosen_option = forms.IntegerField(label=_("Chosen option"), min_value=1)
    customer_confirmed = forms.BooleanField(
        label=_("The customer confirmed"),
        error_messages={"required": _("Record the customer's confirmation of the chosen option.")},
    )
    commitments = ListOfFormsField(
        item_form=CommitmentItem, item_label=_("Commitment"), min_items=1, max_items=10, label=_("Commitments")
    )
    next_callback_at = forms.DateTimeField(
        label=_("Next callback"), widget=LocalDateTimeInput(), validators=[_in_future], initial=proposed_time
    )
    # Stored on the follow-up promise (Promise.customer_chose_time).
    callback_time_chosen_by_customer = forms.BooleanField(
        label=_("The customer asked for this callback time"), required=False
    )

    def clean_chosen_option(self):
        position = self.cleaned_data["chosen_option"]
        options = {o.position: o for o in self.case.options.filter(round=self.case.options_round)} if self.case else {}
        if position not in options:
            raise ValidationError(_("Choose one of the options offered in this round."))
        return options[position]

    def clean(self):
        data = super().clean()
        refuse_outside_business_hours(self, "next_callback_at", chosen_by_customer="callback_time_chosen_by_customer")
        return data


class AssureEvidence(EvidenceForm):
    follow_up_done = forms.BooleanField(
        label=_("Follow-up done"), error_messages={"required": _("Confirm that the follow-up was done.")}
    )
    # No default: a skipped score must not be recorded as the worst one (a select shows its first
    # option as chosen), so the list starts with an empty "ask the customer" entry.
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"),
        choices=[("", _("— ask the customer —")), *((i, str(i)) for i in range(1, 6))],
        coerce=int,
        empty_value=None,
        error_messages={"required": _("Ask the customer for a score from 1 to 5.")},
    )
    thanked = forms.BooleanField(
        label=_("Customer thanked"), error_messages={"required": _("Thank the customer and tick this box.")}
    )
    follow_up_note = forms.CharField(label=_("Follow-up note"), max_length=TEXT_LIMIT, required=False)
    # The resolution letter that went to the customer (a version marked as sent), or why none was.
    resolution_letter = forms.ModelChoiceField(
        label=_("Resolution letter sent"),
        queryset=Letter.objects.none(),
        required=False,
        empty_label=_("— no letter —"),
        error_messages={"invalid_choice": _("Choose a version of this case's letter that was marked as sent.")},
    )
    no_letter_reason = ReferenceChoiceField(
        label=_("Why no letter is needed"),
        queryset=NoLetterReason.objects.filter(active=True),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case is not None:
            self.fields["resolution_letter"].queryset = Letter.objects.filter(
                case=self.case, state=LetterState.SENT
            ).order_by("-version")

    def clean(self):
        data = super().clean()
        letter, reason = data.get("resolution_letter"), data.get("no_letter_reason")
        if "resolution_letter" in self.errors or "no_letter_reason" in self.errors:
            return data
        if letter is None and reason is None:
            self.add_error("resolution_letter", ValidationError(MSG_LETTER_OR_REASON, code="letter_or_reason"))
        elif letter is not None and reason is not None:
            self.add_error("no_letter_reason", ValidationError(MSG_LETTER_AND_REASON, code="letter_and_reason"))
        return data


class CloseEvidence(EvidenceForm):
    closing_note = forms.CharField(label=_("Closing note"), max_length=TEXT_LIMIT, required=False)


class ReasonEvidence(EvidenceForm):
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_LIMIT)


class WithdrawEvidence(EvidenceForm):
    """A withdrawal is the customer's decision: record when and how they told us, in their words,
    so a later "I never withdrew" can be answered."""

    withdrawn_at = forms.DateTimeField(
        label=_("When the customer withdrew"),
        widget=LocalDateTimeInput(),
        validators=[_not_future],
        initial=timezone.now,
    )
    withdrawal_channel = forms.ChoiceField(label=_("How they told us"), choices=[("", "—"), *Channel.choices])
    withdrawal_words = forms.CharField(label=_("The customer's own words"), max_length=TEXT_LIMIT)
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_LIMIT)

    def clean_withdrawn_at(self):
        value = self.cleaned_data["withdrawn_at"]
        if self.case is not None and value < self.case.created_at - CLOCK_SKEW:
            raise ValidationError(_("This is before the complaint was logged."))
        return value
