"""Intake validation, shared by the intake page and POST /api/complaints/ (one rule, one place)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.choices import Channel, CustomerTier, Language
from cases.models import Category
from cases.reference import ReferenceChoiceField
from cases.widgets import LocalDateTimeInput
from core.inputs import StrictInputForm

from .models import DemandReasonable, Product

PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{4,30}$")


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "")


class IntakeForm(StrictInputForm):
    # Customer (reused when the phone or the customer id matches)
    customer_id = forms.IntegerField(label=_("Existing customer"), required=False, widget=forms.HiddenInput)
    customer_name = forms.CharField(label=_("Customer name"), max_length=100)
    customer_phone = forms.CharField(label=_("Contact phone"), max_length=32)
    account_number = forms.CharField(label=_("Account number"), max_length=40, required=False)
    tier = forms.ChoiceField(
        label=_("Customer tier"), choices=CustomerTier.choices, initial=CustomerTier.STANDARD, required=False
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.CHINESE, required=False
    )
    customer_since = forms.DateField(
        label=_("Customer since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # The complaint (the brief's recording checklist)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    summary = forms.CharField(label=pgettext_lazy("complaint", "Summary"), max_length=200)
    what_happened = forms.CharField(label=_("What happened"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
    occurred_at = forms.DateTimeField(label=_("When it happened"), widget=LocalDateTimeInput(), required=False)
    disputed_item = forms.CharField(label=_("Disputed item"), max_length=200, required=False)
    disputed_amount = forms.DecimalField(
        label=_("Disputed amount"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    staff_involved = forms.CharField(label=_("Staff involved"), max_length=200, required=False)
    real_dissatisfaction = forms.CharField(
        label=_("What the customer is really unhappy about"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    desired_resolution = forms.CharField(
        label=_("How the customer wants it resolved"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    demand_reasonable = forms.ChoiceField(
        label=_("Is the demand reasonable?"),
        choices=DemandReasonable.choices,
        initial=DemandReasonable.UNKNOWN,
        required=False,
    )
    category = ReferenceChoiceField(label=_("Category"), queryset=Category.objects.filter(active=True), required=False)
    product = ReferenceChoiceField(
        label=_("Product or service"), queryset=Product.objects.filter(active=True), required=False
    )
    # A churn signal the agent heard (issue 9, item 7): flags the case as a retention risk.
    customer_wants_to_leave = forms.BooleanField(
        label=_("The customer wants to leave (cancel, port out, close the account)"), required=False
    )
    # Attach to one of the customer's open cases instead of opening a new one
    attach_to_case = forms.CharField(label=_("Attach to open case"), max_length=20, required=False)

    def clean_customer_phone(self):
        value = self.cleaned_data["customer_phone"].strip()
        if not PHONE_RE.match(value):
            raise forms.ValidationError(_("Enter a phone number: digits, optionally starting with +."))
        return normalize_phone(value)

    def clean_customer_name(self):
        value = self.cleaned_data["customer_name"].strip()
        if not value:
            raise forms.ValidationError(_("This field is required."))
        return value

    def clean(self):
        data = super().clean()
        # Optional choices fall back to their defaults (an API caller may leave them out), but an
        # existing customer's tier and language are kept unless given (see services._customer_upsert).
        if not data.get("demand_reasonable"):
            data["demand_reasonable"] = DemandReasonable.UNKNOWN
        return data
