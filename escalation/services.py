"""Writes of the escalation app. Each checks who may (403), the state (409) and the input (400),
then writes its rows, their history and the case event in one transaction."""

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.evidence import TEXT_LIMIT
from cases.permissions import can_work_case
from cases.reference import cached
from cases.services import case_event_record
from core.errors import Conflict, NotAllowed
from core.forms import valid_input
from core.history import save_tracked
from core.inputs import StrictInputForm

from . import events
from .models import CaseCustomerType, CustomerType

MSG_CASE_ENDED = _("This case has ended; its customer types can no longer change.")
MSG_ALREADY = _("The case is already tagged “%(type)s”.")
MSG_NOT_TAGGED = _("The case is not tagged “%(type)s”.")
MSG_UNKNOWN_TYPE = _("Choose one of the customer types.")
MSG_INVALID = _("Check the customer type: %(fields)s.")


def active_customer_types() -> dict:
    """Active types by code, in display order (cached per process until one changes)."""
    return cached(
        CustomerType,
        lambda: {t.code: t for t in CustomerType.objects.filter(active=True).order_by("position", "code")},
    )


class CustomerTypeTagInput(StrictInputForm):
    customer_type = forms.CharField(label=_("Customer type"), max_length=40)
    note = forms.CharField(label=_("What you noticed"), max_length=TEXT_LIMIT, required=False)

    def clean_customer_type(self):
        code = self.cleaned_data["customer_type"]
        if code not in active_customer_types():
            raise forms.ValidationError(MSG_UNKNOWN_TYPE)
        return active_customer_types()[code]


class CustomerTypeRemoveInput(StrictInputForm):
    reason = forms.CharField(label=_("Why the type no longer fits"), max_length=TEXT_LIMIT)


def _valid(form_class, data):
    return valid_input(form_class, data, MSG_INVALID)


def _check(case, actor):
    if not case.is_open:
        raise Conflict(MSG_CASE_ENDED)
    if not can_work_case(case, actor):
        raise NotAllowed()


def case_customer_type_tag(*, case, actor, data) -> CaseCustomerType:
    """Tag `case` with a customer type, so its playbook shows beside the steps (and, with the
    escalation rules, may hand the case over)."""
    _check(case, actor)
    cleaned = _valid(CustomerTypeTagInput, data)
    customer_type, now = cleaned["customer_type"], timezone.now()
    tag = CaseCustomerType(case=case, customer_type=customer_type, note=cleaned["note"], tagged_by=actor, tagged_at=now)
    try:
        with transaction.atomic():
            save_tracked(tag, user=actor, at=now)
            case_event_record(
                case=case,
                kind=events.CUSTOMER_TYPE_TAGGED,
                actor=actor,
                payload={"customer_type": customer_type.code, "note": tag.note},
                at=now,
            )
    except IntegrityError:  # one open tag per type and case (a double click, two colleagues at once)
        raise Conflict(MSG_ALREADY % {"type": customer_type.name}) from None
    return tag


def case_customer_type_remove(*, case, actor, code, data) -> CaseCustomerType:
    """Take a type off `case`, with the reason; the tag stays on the record as removed."""
    _check(case, actor)
    reason = _valid(CustomerTypeRemoveInput, data)["reason"]
    now = timezone.now()
    with transaction.atomic():
        tag = (
            CaseCustomerType.objects.select_for_update()
            .select_related("customer_type")
            .filter(case=case, customer_type__code=code, removed_at__isnull=True)
            .first()
        )
        if tag is None:
            known = active_customer_types().get(code)
            raise Conflict(MSG_NOT_TAGGED % {"type": known.name if known else code})
        tag.removed_by, tag.removed_at, tag.removal_reason = actor, now, reason
        save_tracked(tag, user=actor, at=now, reason=reason)
        case_event_record(
            case=case,
            kind=events.CUSTOMER_TYPE_REMOVED,
            actor=actor,
            reason=reason,
            payload={"customer_type": code},
            at=now,
        )
    return tag
