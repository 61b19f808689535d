"""Intake: who complains and what they said (the brief's recording checklist)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.choices import Channel, CustomerTier, Language
from cases.models import BilingualName, Case, Category
from core.history import tracked_history


class Customer(models.Model):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    # Normalised (digits and a leading +, complaints.forms.normalize_phone); one customer per number.
    phone = models.CharField(_("phone"), max_length=32)
    account_number = models.CharField(_("account number"), max_length=40, blank=True, db_index=True)
    tier = models.CharField(_("tier"), max_length=10, choices=CustomerTier.choices, default=CustomerTier.STANDARD)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=Language.choices, default=Language.CHINESE
    )
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = tracked_history()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [models.UniqueConstraint(fields=["phone"], name="customer_phone_unique")]

    def __str__(self):
        return f"{self.name} ({self.phone})"


class Product(BilingualName):
    history = tracked_history()

    class Meta(BilingualName.Meta):
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")


class DemandReasonable(models.TextChoices):
    YES = "yes", _("Reasonable")
    PARTLY = "partly", _("Partly reasonable")
    NO = "no", _("Not reasonable")
    UNKNOWN = "unknown", _("Not yet known")


class Complaint(models.Model):
    """One complaint as the customer made it. Several may share a case (a repeat on the same issue)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="complaints")
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    summary = models.CharField(_("summary"), max_length=200)
    what_happened = models.TextField(_("what happened"))
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    disputed_item = models.CharField(_("disputed item"), max_length=200, blank=True)
    disputed_amount = models.DecimalField(_("disputed amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    staff_involved = models.CharField(_("staff involved"), max_length=200, blank=True)
    real_dissatisfaction = models.TextField(_("what the customer is really unhappy about"), blank=True)
    desired_resolution = models.TextField(_("how the customer wants it resolved"), blank=True)
    demand_reasonable = models.CharField(
        _("is the demand reasonable"), max_length=10, choices=DemandReasonable.choices, default=DemandReasonable.UNKNOWN
    )
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT)
    product = models.ForeignKey(Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT)
    history = tracked_history()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ("-logged_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disputed_amount__isnull=True) | models.Q(disputed_amount__gte=0),
                name="complaint_disputed_amount_not_negative",
            )
        ]

    def __str__(self):
        return self.summary


class IntakeKey(models.Model):
    """An `Idempotency-Key` a caller (a CTI system retrying a timed-out POST) sent with an intake:
    the same key from the same user gives back the first complaint instead of logging a second."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=100)
    # What was sent with it: a retry must send the same complaint, not reuse the key for another.
    body_hash = models.CharField(max_length=64)
    complaint = models.ForeignKey(Complaint, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("intake idempotency key")
        verbose_name_plural = _("intake idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="intake_key_unique_per_user")]

    def __str__(self):
        return self.key
