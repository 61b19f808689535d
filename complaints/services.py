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
from cases.services import case_event_record, case_open
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


def _customer_upsert(data) -> tuple[Customer, str | None]:
    """Reuse the identified customer, bringing its details up to date (an empty optional field
    never erases what we know), or make a new one. Returns the customer, unsaved if new or changed,
    and what to do with it: "+" insert, "~" update, None nothing."""
    customer = _customer_find(data)
    created = customer is None
    if created:
        customer = Customer(tier=CustomerTier.STANDARD, preferred_language=Language.CHINESE)
    values = {model_field: data.get(form_field) for form_field, model_field in CUSTOMER_FIELDS.items()}
    values["phone"] = data["customer_phone"]
    changed = created
    for field, value in values.items():
        if value in (None, "") or getattr(customer, field) == value:
            continue
        setattr(customer, field, value)
        changed = True
    return customer, ("+" if created else "~") if changed else None


def _attachable_case(customer, reference) -> Case:
    lookup = {"pk": int(reference)} if str(reference).isdigit() else {"number": str(reference).strip().upper()}
    case = Case.objects.select_for_update().filter(is_open=True, complaints__customer=customer, **lookup).first()
    if case is None:
        raise InvalidInput(fields={"attach_to_case": [MSG_NOT_ATTACHABLE]})
    return case


def complaint_log(*, actor, data: dict) -> tuple[Complaint, bool]:
    """Log a complaint: customer (created or reused), complaint and its case in one transaction.

    Returns (complaint, customer_created). The case is new unless `attach_to_case` names one of
    the customer's open cases.
    """
    if not can_log_complaints(actor):
        raise NotAllowed()
    form = IntakeForm(data)
    if not form.is_valid():
        raise InvalidInput(fields={name: list(messages) for name, messages in form.errors.items()})
    cleaned = form.cleaned_data
    with transaction.atomic():
        now = timezone.now()
        customer, customer_change = _customer_upsert(cleaned)
        if customer_change is not None:
            save_tracked(customer, user=actor, at=now)
        complaint_data = {name: cleaned.get(name) for name in COMPLAINT_FIELDS}
        for name in ("disputed_item", "staff_involved", "real_dissatisfaction", "desired_resolution"):
            complaint_data[name] = complaint_data[name] or ""
        attach_to = cleaned.get("attach_to_case")
        if attach_to:
            if customer_change == "+":  # a customer we did not know has no open case to attach to
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
        else:
            case_event_record(
                case=case,
                kind=case_events.LOGGED,
                actor=actor,
                to_state=case.state,
                payload={"channel": cleaned["channel"], "customer_new": customer_change == "+"},
                at=now,
            )
    return complaint, customer_change == "+"


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
