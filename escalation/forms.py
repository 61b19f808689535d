"""Forms of escalation/ used outside its services (the admin's rule form)."""

from django import forms
from django.core.exceptions import ValidationError

from .models import EscalationRule
from .models.rule import CONDITION_FIELDS, MSG_NO_CONDITION


class EscalationRuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = (
            "code", "name_zh", "name_en", "position", "active", "level", "reason_zh", "reason_en",
            *CONDITION_FIELDS,
        )  # fmt: skip

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in CONDITION_FIELDS):
            raise ValidationError(MSG_NO_CONDITION)
        return data
