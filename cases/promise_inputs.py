"""What a person types to make, log, cancel or reschedule a promise: the same forms for the case
page and the API (like evidence.py for the steps)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.inputs import StrictInputForm

from .choices import PromiseKind
from .evidence import TEXT_LIMIT, _in_future, proposed_time, refuse_outside_business_hours
from .widgets import LocalDateTimeInput

PHONE_LIMIT = 32


class PromiseMakeInput(StrictInputForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *PromiseKind.choices], initial=PromiseKind.PROGRESS_UPDATE
    )
    due_at = forms.DateTimeField(
        label=_("Promised time"), widget=LocalDateTimeInput(), validators=[_in_future], initial=proposed_time
    )
    description = forms.CharField(label=_("What we will tell or do"), max_length=TEXT_LIMIT)
    phone = forms.CharField(label=_("Number to call"), max_length=PHONE_LIMIT, required=False)
    customer_chose_time = forms.BooleanField(label=_("The customer asked for this time"), required=False)

    def clean(self):
        data = super().clean()
        refuse_outside_business_hours(self, "due_at", chosen_by_customer="customer_chose_time")
        return data


class PromiseCallInput(StrictInputForm):
    """A call made (or a thing done) to keep a promise."""

    # Yes / no, never a default: an unanswered question must not read as "not reached".
    reached = forms.NullBooleanField(
        label=_("Customer reached"),
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    outcome = forms.CharField(label=_("Outcome"), max_length=TEXT_LIMIT)

    def clean_reached(self):
        reached = self.cleaned_data.get("reached")
        if reached is None:
            raise forms.ValidationError(_("Say whether the customer was reached."))
        return reached


class PromiseCancelInput(StrictInputForm):
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_LIMIT)


class PromiseRescheduleInput(StrictInputForm):
    due_at = forms.DateTimeField(
        label=_("New time"), widget=LocalDateTimeInput(), validators=[_in_future], initial=proposed_time
    )
    by_customer = forms.BooleanField(label=_("The customer asked for the new time"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_LIMIT)

    def clean(self):
        data = super().clean()
        refuse_outside_business_hours(self, "due_at", chosen_by_customer="by_customer")
        return data
