"""Case endpoints for CTI/CRM integration. Thin: parse, call a selector or a service, serialize."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.people import display_name
from accounts.roles import can_log_complaints, can_read_cases
from core.api_schema import serializer_from_form
from core.errors import InvalidInput, NotAllowed, NotFound
from core.inputs import MSG_TEXT
from core.pagination import page_envelope

from . import selectors
from .choices import CaseState, CustomerTier, DeadlineKind, Priority
from .deadline_status import DeadlineStatus, deadline_status, time_left
from .queue_params import API_PARAMS, STATUSES, queue_query_parse
from .reference import active_rows
from .services import TRANSITIONS, case_assign, case_transition, transitions_available
from .services.deadlines import DEADLINE_STEPS
from .services.transitions import MSG_UNKNOWN


class CanReadCases(BasePermission):
    def has_permission(self, request, view):
        return can_read_cases(request.user)


class CanWorkCases(BasePermission):
    """Roles that change cases at all; who may change this case (or its promises, letters…) is the
    service's check. Refused here, the answer is the services' own 403 (code `forbidden`), whatever
    the body."""

    message = NotAllowed.default_message
    code = NotAllowed.code

    def has_permission(self, request, view):
        return can_log_complaints(request.user)


class OwnerOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return display_name(user)


class CaseListItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    priority = serializers.IntegerField()
    priority_label = serializers.CharField(source="get_priority_display")
    summary = serializers.CharField()
    channel = serializers.CharField()
    customer_name = serializers.CharField()
    customer_phone = serializers.CharField()
    customer_tier = serializers.CharField()
    owner = OwnerOut()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    next_callback_at = serializers.DateTimeField(allow_null=True)
    deadline_at = serializers.DateTimeField(allow_null=True, help_text="the earliest live deadline's due time")
    deadline_business_minutes_left = serializers.SerializerMethodField(
        help_text="business minutes until `deadline_at` (negative once past; frozen while the clock is paused); "
        "null when no deadline runs"
    )
    clock_paused_at = serializers.DateTimeField(allow_null=True, help_text="set while the case waits on the customer")
    churn_flagged_at = serializers.DateTimeField(
        allow_null=True, help_text="set once the case is flagged as a retention risk (the customer may leave)"
    )
    escalation_status = serializers.CharField(
        help_text="the state of the case's open escalation (`requested`, `accepted`); empty when none"
    )

    def get_deadline_business_minutes_left(self, case) -> int | None:
        if not case.is_open or case.deadline_at is None:
            return None
        return _minutes(time_left(case.deadline_at, now=timezone.now(), paused_at=case.clock_paused_at))


def _minutes(amount) -> int:
    return int(amount.total_seconds() // 60)


class DeadlineOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    allowed_hours = serializers.IntegerField(help_text="business hours allowed by the policy")
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    status = serializers.SerializerMethodField()
    business_minutes_left = serializers.SerializerMethodField(
        help_text="negative once past; frozen while paused; null once met or no longer counted"
    )
    warned_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    paused_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ChoiceField(choices=DeadlineStatus.choices))
    def get_status(self, deadline) -> str:
        return deadline_status(deadline, timezone.now()).value

    def get_business_minutes_left(self, deadline) -> int | None:
        if not deadline.is_live:
            return None
        return _minutes(time_left(deadline.due_at, now=timezone.now(), paused_at=deadline.paused_at))


class OptionOut(serializers.Serializer):
    round = serializers.IntegerField()
    position = serializers.IntegerField()
    action = serializers.CharField()
    benefit = serializers.CharField()
    compensation = serializers.DecimalField(max_digits=10, decimal_places=2)


class PromiseOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    due_at = serializers.DateTimeField()
    description = serializers.CharField()
    phone = serializers.CharField()
    customer_chose_time = serializers.BooleanField()
    keeper = OwnerOut(allow_null=True)
    attempts = serializers.IntegerField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    reached = serializers.BooleanField(allow_null=True)
    outcome = serializers.CharField()
    missed_at = serializers.DateTimeField(allow_null=True)
    closed_reason = serializers.CharField()
    rescheduled_by_customer = serializers.BooleanField(allow_null=True)
    rescheduled_from = serializers.IntegerField(source="rescheduled_from_id", allow_null=True)


class CaseDetailOut(CaseListItemOut):
    is_open = serializers.BooleanField()
    customer_language = serializers.CharField()
    first_contact_at = serializers.DateTimeField(allow_null=True)
    customer_words = serializers.CharField()
    apology_text = serializers.CharField()
    restated_problem = serializers.CharField()
    emotional_needs = serializers.ListField(child=serializers.CharField())
    facts = serializers.DictField(child=serializers.CharField(allow_blank=True))
    root_cause = serializers.CharField()
    category = serializers.CharField(source="category.code", allow_null=True, default=None)
    responsible_unit = serializers.CharField(source="responsible_unit.code", allow_null=True, default=None)
    desired_outcome = serializers.CharField()
    options_round = serializers.IntegerField()
    options = OptionOut(many=True)
    chosen_option = serializers.IntegerField(source="chosen_option.position", allow_null=True, default=None)
    customer_confirmed = serializers.BooleanField()
    promises = PromiseOut(many=True)
    deadlines = DeadlineOut(many=True)
    follow_up_done = serializers.BooleanField()
    follow_up_note = serializers.CharField()
    satisfaction = serializers.IntegerField(allow_null=True)
    thanked = serializers.BooleanField()
    closing_note = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawal_channel = serializers.CharField()
    withdrawal_words = serializers.CharField()
    reopen_count = serializers.IntegerField()
    churn_flagged_by = serializers.CharField(source="churn_flagged_by.username", allow_null=True, default=None)
    available_transitions = serializers.SerializerMethodField()

    def get_available_transitions(self, case) -> list[str]:
        return transitions_available(case, self.context["request"].user)


class EventOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    payload = serializers.JSONField()


class HistoryOut(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.CharField()
    history_user = serializers.CharField(source="history_user.username", allow_null=True, default=None)
    state = serializers.CharField()
    changes = serializers.DictField(help_text="field -> {old, new} against the previous record")


def _case(pk):
    case = selectors.case_detail(pk=pk)
    if case is None:
        raise NotFound()
    return case


class CaseListApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(
        operation_id="cases_list",
        parameters=[
            OpenApiParameter(
                "state",
                str,
                description="open (default), ended, all, or a state",
                enum=list(STATUSES),
            ),
            OpenApiParameter("owner", int),
            OpenApiParameter("priority", int, enum=Priority.values),
            OpenApiParameter("tier", str, enum=CustomerTier.values),
            OpenApiParameter(
                "q",
                str,
                description="A case number (exact); digits (3+) anywhere in the phone number; other text of 2+ "
                "characters anywhere in the customer's name or the summary, any case; 1 character: the start of "
                "the name. At most 100 characters. The count stops at 100 for a search (`count_is_capped`).",
            ),
            OpenApiParameter(
                "promise",
                str,
                description="overdue: open cases whose next promise to the customer is past due",
                enum=list(selectors.PROMISE_FILTERS),
            ),
            OpenApiParameter(
                "sort",
                str,
                description="next_promise: the earliest promise due first, cases owing nothing last; deadline: the "
                "least business time left on the next deadline first, cases with none last",
                enum=list(selectors.SORTS),
            ),
            OpenApiParameter("cursor", str, description="from `next`"),
            OpenApiParameter("before", str, description="from `previous`"),
            OpenApiParameter("page_size", int, description="1–100, default 25"),
        ],
        responses=inline_serializer(
            "CasePage",
            {
                "count": serializers.IntegerField(),
                "count_is_capped": serializers.BooleanField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": CaseListItemOut(many=True),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        query = queue_query_parse(params, API_PARAMS)
        if query.errors:
            raise InvalidInput(fields=query.errors)
        page = selectors.case_queue(query.filters, after=query.after, before=query.before, size=query.size)

        results = CaseListItemOut(page.items, many=True).data
        return Response(page_envelope(request, page, reverse("api:case-list"), results))


class CaseDetailApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(responses=CaseDetailOut)
    def get(self, request, pk):
        return Response(CaseDetailOut(_case(pk), context={"request": request}).data)


# Steps that write rows the detail response shows besides the case itself (options, promises, deadlines).
ROWS_ADDED_BY = {"offer_alternatives", "agree", *DEADLINE_STEPS}


class CaseTransitionApi(APIView):
    """POST /api/cases/{id}/transitions/{name}/ — each step has its own subclass below (its own
    operation and request schema); this generic route only answers 404 for an unknown step."""

    # A reader (an auditor) is refused before a step's name or the case's state is looked at.
    permission_classes = [CanWorkCases]
    step = None

    @extend_schema(exclude=True)
    def post(self, request, pk, name=None):
        name = self.step or name
        case = _case(pk)
        if name not in TRANSITIONS:
            raise NotFound(MSG_UNKNOWN)
        data = request.data if isinstance(request.data, dict) else {}
        expected_state = data.get("expected_state")
        if expected_state is not None and not isinstance(expected_state, str):
            # `{}` or `[]` would read as "not sent" and skip the staleness check the client asked for.
            raise InvalidInput(fields={"expected_state": [MSG_TEXT]})
        case_transition(case=case, name=name, actor=request.user, data=data, expected_state=expected_state)
        if name in ROWS_ADDED_BY:
            case = _case(pk)  # the prefetched options/commitments are stale; other steps change only the case
        return Response(CaseDetailOut(case, context={"request": request}).data)


def _camel(name):
    return "".join(part.title() for part in name.split("_"))


EXPECTED_STATE_HELP = (
    "The case's state as the client last saw it. If the case has moved on meanwhile, the answer is 409 "
    "and nothing is written."
)


def _step_view(name, spec):
    """The endpoint of one step, documented with the request body its evidence form validates."""
    body = type(
        f"{_camel(name)}In",
        (serializer_from_form(spec.form, f"{_camel(name)}Evidence"),),
        {
            "expected_state": serializers.ChoiceField(
                choices=CaseState.choices, required=False, help_text=EXPECTED_STATE_HELP
            )
        },
    )

    @extend_schema(
        operation_id=f"cases_transition_{name}",
        summary=str(spec.label),
        description=str(STEP_API_HELP.get(name, "")),
        request=body,
        responses={200: CaseDetailOut},
    )
    def post(self, request, pk):
        return CaseTransitionApi.post(self, request, pk, name)

    return type(f"Case{_camel(name)}Api", (CaseTransitionApi,), {"post": post, "step": name})


STEP_API_HELP = {
    "accept": "Take ownership: when the customer first got in touch (not in the future) and their own words.",
    "apologize": "The apology given (text or the script used).",
    "acknowledge": "The problem restated in our words and the emotional needs noted (at least one).",
    "analyze": "5W1H facts (what, when and who required), root cause, category and responsible unit (codes "
    "from /api/reference/…), the customer's desired outcome.",
    "offer_alternatives": "Two to five options, each: what we will do, the benefit to the customer, compensation "
    "(≥ 0, default 0). Each call opens a new round of options.",
    "agree": "`chosen_option` is the position (1, 2, …) of an option of the current round; the customer's "
    "confirmation; one or more commitments with future due times; the next callback time (future).",
    "assure": "Follow-up done, satisfaction 1–5 (asked, never defaulted), customer thanked.",
    "close": "An optional closing note.",
    "withdraw": "The customer's withdrawal: when they told us (not in the future, not before the complaint was "
    "logged), through which channel, their own words, and the reason. The owner's supervisor is notified.",
    "reject": "Why the complaint is invalid (supervisors only).",
    "reopen": "Why the case is reopened (within 30 days of closing).",
}
STEP_VIEWS = {name: _step_view(name, spec) for name, spec in TRANSITIONS.items()}


class CaseEventsApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(responses=EventOut(many=True))
    def get(self, request, pk):
        return Response(EventOut(selectors.case_events(_case(pk)), many=True).data)


class CaseHistoryApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(responses=HistoryOut(many=True))
    def get(self, request, pk):
        records = selectors.case_history_with_changes(_case(pk))
        for record in records:
            record.changes = {c.field: {"old": c.old, "new": c.new} for c in record.changes}
        return Response(HistoryOut(records, many=True).data)


class CaseAssignApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(
        request=inline_serializer("AssignIn", {"owner": serializers.IntegerField()}),
        responses={200: CaseDetailOut},
    )
    def post(self, request, pk):
        case = _case(pk)
        owner = request.data.get("owner") if isinstance(request.data, dict) else None
        case_assign(case=case, owner_id=owner, actor=request.user)
        return Response(CaseDetailOut(case, context={"request": request}).data)


class ReferenceItemOut(serializers.Serializer):
    code = serializers.CharField(help_text="what requests send and responses answer with")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class ReferenceListApi(APIView):
    """The active rows of one kind of reference data (categories, responsible units, products).
    Requests name a row by its `code`, and responses answer with it."""

    model = None  # set by as_view(model=…)

    @extend_schema(responses=ReferenceItemOut(many=True))
    def get(self, request):
        rows = sorted(active_rows(self.model).values(), key=lambda row: row.code)
        return Response(ReferenceItemOut(rows, many=True).data)
