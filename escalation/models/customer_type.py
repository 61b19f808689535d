"""Customer types (the brief's nine difficult and escalation-prone types) and their tags on cases.

A type is reference data with a playbook in Chinese and English, written in our own words: what to
do, what to say, what to avoid, when to hand over (seeded by migration 0002, edited in the admin).
A tag records who put a type on a case and when; removing it keeps the row (who, when, why), so
the record shows every type a case ever had.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cases.models import BilingualName, Case
from core.history import tracked_history


def _in_language(obj, field):
    english = (get_language() or "").startswith("en")
    return getattr(obj, f"{field}_en" if english else f"{field}_zh")


class CustomerType(BilingualName):
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    escalation_prone = models.BooleanField(
        _("escalation-prone"), default=False, help_text=_("Shown first; the escalation rules may name it.")
    )
    do_zh = models.TextField(_("what to do (Chinese)"))
    do_en = models.TextField(_("what to do (English)"))
    say_zh = models.TextField(_("what to say (Chinese)"))
    say_en = models.TextField(_("what to say (English)"))
    avoid_zh = models.TextField(_("what to avoid (Chinese)"))
    avoid_en = models.TextField(_("what to avoid (English)"))
    hand_over_zh = models.TextField(_("when to hand over (Chinese)"))
    hand_over_en = models.TextField(_("when to hand over (English)"))

    history = tracked_history()

    class Meta(BilingualName.Meta):
        verbose_name = _("customer type")
        verbose_name_plural = _("customer types")
        ordering = ("position", "code")

    @property
    def playbook(self) -> dict:
        """The playbook in the active language."""
        return {part: _in_language(self, part) for part in ("do", "say", "avoid", "hand_over")}


class CaseCustomerType(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="customer_types")
    customer_type = models.ForeignKey(
        CustomerType, verbose_name=_("customer type"), on_delete=models.PROTECT, related_name="tags"
    )
    note = models.TextField(_("note"), blank=True)
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tagged by"), on_delete=models.PROTECT, related_name="+"
    )
    tagged_at = models.DateTimeField(_("tagged"), default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removal_reason = models.TextField(_("reason removed"), blank=True)

    history = tracked_history()

    class Meta:
        verbose_name = _("customer type on a case")
        verbose_name_plural = _("customer types on cases")
        ordering = ("case", "tagged_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "customer_type"],
                condition=models.Q(removed_at__isnull=True),
                name="case_customer_type_once",
            ),
        ]
        indexes = [models.Index(fields=["case", "removed_at"], name="case_customer_type_case")]

    def __str__(self):
        return f"{self.case_id} {self.customer_type_id}"
