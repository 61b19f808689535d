import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import can_log_complaints
from cases import events as case_events
from cases.choices import CustomerTier, Language
from cases.models import Case
from cases.services import case_event_record, case_flag_churn, case_open, case_reprioritize
from cases.services.retention import SOURCE_INTAKE
from core.errors import Conflict, InvalidInput, NotAllowed
from core.history import save_tracked

from .forms import IntakeForm
from .models import Complaint, Customer, IntakeKey

CUSTOMER_FIELDS = {
    "customer_name": "name",
    "account_number": "account_number",
    "tier": "tier",
    "preferred_language": "preferred_language",
    "customer_since": "customer_since",
}
COMPLAINT_FIELDS = (
    "channel",
    "summary",
    "what_happened",
    "occurred_at",
    "disputed_item",
    "disputed_amount",
    "staff_involved",
    "real_dissatisfaction",
    "desired_resolution",
    "demand_reasonable",
    "category",
    "product",
)

MSG_NO_CUSTOMER = _("No customer with this id.")
MSG_NOT_ATTACHABLE = _("This is not an open case of this customer.")
MSG_ATTACHED_CHANNEL = _("A complaint through “%(channel)s” was attached.")


def _customer_find(data) -> Customer | None:
    """The customer the CRM or the agent identified: by id, else account number, else phone
    (one query for the last two)."""
    customers = Customer.objects.select_for_update().order_by("id")
    if data.get("customer_id"):
        customer = customers.filter(pk=data["customer_id"]).first()
        if customer is None:
            raise InvalidInput(fields={"customer_id": [MSG_NO_CUSTOMER]})
        return customer
    account, phone = data.get("account_number"), data["customer_phone"]
    matches = Q(phone=phone) | Q(account_number=account) if account else Q(phone=phone)
    candidates = list(customers.filter(matches)[:50])
    by_account = next((c for c in candidates if account and c.account_number == account), None)
    return by_account or next((c for c in candidates if c.phone == phone), None)


# What intake may fill in on a customer we already know, when our record has nothing yet. Name, tier,
# language and phone are never changed by intake: a typo at the phone would rename a customer, and a
# default left in the form would re-tier a silver customer to standard (and lower their cases'
# priority). Correcting those is `customer_correct`, with a reason.
FILLABLE_FIELDS = ("account_number", "customer_since")

MSG_NAME_DIFFERS = _(
    "This number belongs to %(known)s; the name typed (%(typed)s) was not saved. The escalation desk or a "
    "supervisor can correct a customer's name."
)
MSG_PHONE_DIFFERS = _("This customer's record has the number %(known)s; it was kept.")


def _customer_resolve(data) -> tuple[Customer, str | None, dict]:
    """The customer the intake is for: the one identified (linked as it is, empty fields filled) or
    a new one. Returns the customer, what to save ("+" insert, "~" update, None nothing) and
    warnings {field: message} about what was typed but not taken."""
    customer = _customer_find(data)
    if customer is None:
        values = {model_field: data.get(form_field) for form_field, model_field in CUSTOMER_FIELDS.items()}
        customer = Customer(
            phone=data["customer_phone"],
            **{name: value for name, value in values.items() if value not in (None, "")},
        )
        customer.tier = customer.tier or CustomerTier.STANDARD
        customer.preferred_language = customer.preferred_language or Language.CHINESE
        return customer, "+", {}
    warnings = {}
    typed_name = (data.get("customer_name") or "").strip()
    if typed_name and typed_name != customer.name:
        warnings["customer_name"] = MSG_NAME_DIFFERS % {"known": customer.name, "typed": typed_name}
    if data["customer_phone"] != customer.phone:
        warnings["customer_phone"] = MSG_PHONE_DIFFERS % {"known": customer.phone}
    changed = False
    for field in FILLABLE_FIELDS:
        value = data.get(field)
        if value not in (None, "") and getattr(customer, field) in (None, ""):
            setattr(customer, field, value)
            changed = True
    return customer, "~" if changed else None, warnings


def _customer_for_intake(data, *, actor, at) -> tuple[Customer, bool, dict]:
    """Resolve and save the customer. One customer per phone number is enforced by the database:
    when a concurrent intake inserted the same new number first, this one links that customer."""
    customer, change, warnings = _customer_resolve(data)
    if change == "+":
        try:
            with transaction.atomic():
                save_tracked(customer, user=actor, at=at)
            return customer, True, warnings
        except IntegrityError:
            customer, change, warnings = _customer_resolve(data)  # the other intake has committed it
            if change == "+":
                raise
    if change == "~":
        save_tracked(customer, user=actor, at=at)
    return customer, False, warnings


def _attachable_case(customer, reference) -> Case:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    lookup = {"pk": int(reference)} if str(reference).isdecimal() else {"number": str(reference).strip().upper()}
    case = Case.objects.select_for_update().filter(is_open=True, complaints__customer=customer, **lookup).first()
    if case is None:
        raise InvalidInput(fields={"attach_to_case": [MSG_NOT_ATTACHABLE]})
    return case


def complaint_log(*, actor, data: dict) -> tuple[Complaint, bool]:
    """Log a complaint: customer (created or reused), complaint and its case in one transaction.

    Returns (complaint, customer_created). The case is new unless `attach_to_case` names one of
    the customer's open cases. A customer already known is linked as it is, never renamed or
    re-tiered; `complaint.intake_warnings` ({field: message}) says what was typed but not taken.
    """
    if not can_log_complaints(actor):
        raise NotAllowed()
    form = IntakeForm(data)
    if not form.is_valid():
        raise InvalidInput(fields={name: list(messages) for name, messages in form.errors.items()})
    cleaned = form.cleaned_data
    with transaction.atomic():
        now = timezone.now()
        customer, customer_created, warnings = _customer_for_intake(cleaned, actor=actor, at=now)
        complaint_data = {name: cleaned.get(name) for name in COMPLAINT_FIELDS}
        for name in ("disputed_item", "staff_involved", "real_dissatisfaction", "desired_resolution"):
            complaint_data[name] = complaint_data[name] or ""
        attach_to = cleaned.get("attach_to_case")
        if attach_to:
            if customer_created:  # a customer we did not know has no open case to attach to
                raise InvalidInput(fields={"attach_to_case": [MSG_NOT_ATTACHABLE]})
            case = _attachable_case(customer, attach_to)
        else:
            case = case_open(
                actor=actor,
                at=now,
                owner=actor,
                summary=cleaned["summary"],
                channel=cleaned["channel"],
                customer_name=customer.name,
                customer_phone=customer.phone,
                customer_tier=customer.tier,
                customer_language=customer.preferred_language,
            )
        complaint = Complaint(case=case, customer=customer, logged_by=actor, logged_at=now, **complaint_data)
        save_tracked(complaint, user=actor, at=now)
        # Last, once every row of the step is written: receivers see the case with its complaint.
        if attach_to:
            case_event_record(
                case=case,
                kind=case_events.COMPLAINT_ATTACHED,
                actor=actor,
                from_state=case.state,
                to_state=case.state,
                payload={"complaint_id": complaint.pk, "summary": complaint.summary},
                at=now,
            )
            # A legal threat attached to a phone case makes it a legal case (never the other way).
            case_reprioritize(
                case,
                channel=complaint.channel,
                actor=actor,
                reason=str(MSG_ATTACHED_CHANNEL % {"channel": complaint.get_channel_display()}),
                at=now,
            )
        else:
            case_event_record(
                case=case,
                kind=case_events.LOGGED,
                actor=actor,
                to_state=case.state,
                payload={"channel": cleaned["channel"], "customer_new": customer_created},
                at=now,
            )
        if cleaned.get("customer_wants_to_leave"):
            case_flag_churn(case, actor=actor, source=SOURCE_INTAKE, at=now)
    complaint.intake_warnings = warnings  # not stored: what the agent is told about the customer record
    return complaint, customer_created


MSG_KEY_FORMAT = _("Send 1 to 100 visible characters (letters, digits, - _ . :).")
MSG_KEY_REUSED = _("This Idempotency-Key was already used for a different complaint; send a new key.")
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")


def complaint_log_once(*, actor, data: dict, key: str) -> tuple[Complaint, bool, bool]:
    """`complaint_log` for a caller that may retry: the first call with `key` logs the complaint;
    a later one from the same user with the same data gives that complaint back instead of a second.
    Returns (complaint, customer_created, replayed).

    Concurrent calls with one key: the key's row is claimed first, so the second waits on the
    unique index until the first commits, then finds its complaint."""
    if not IDEMPOTENCY_KEY_RE.match(key or ""):
        raise InvalidInput(fields={"Idempotency-Key": [MSG_KEY_FORMAT]})
    body_hash = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = IntakeKey.objects.create(user=actor, key=key, body_hash=body_hash)
        except IntegrityError:
            earlier = IntakeKey.objects.select_related("complaint__case").get(user=actor, key=key)
            if earlier.body_hash != body_hash:
                raise Conflict(MSG_KEY_REUSED, fields={"Idempotency-Key": [MSG_KEY_REUSED]}) from None
            return earlier.complaint, False, True
        complaint, customer_created = complaint_log(actor=actor, data=data)
        claim.complaint = complaint
        claim.save(update_fields=["complaint"])
    return complaint, customer_created, False
