"""Case endpoints for CTI/CRM integration. Thin: parse, call a selector or a service, serialize."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.people import display_name
from accounts.roles import can_read_cases
from core.errors import InvalidInput, NotFound

from . import selectors
from .choices import CustomerTier, Priority
from .queue_params import API_PARAMS, STATUSES, queue_query_parse
from .services import TRANSITIONS, case_assign, case_transition, transitions_available
from .services.transitions import MSG_UNKNOWN


class CanReadCases(BasePermission):
    def has_permission(self, request, view):
        return can_read_cases(request.user)


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


class OptionOut(serializers.Serializer):
    round = serializers.IntegerField()
    position = serializers.IntegerField()
    action = serializers.CharField()
    benefit = serializers.CharField()
    compensation = serializers.DecimalField(max_digits=10, decimal_places=2)


class CommitmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    due_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)


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
    commitments = CommitmentOut(many=True)
    follow_up_done = serializers.BooleanField()
    follow_up_note = serializers.CharField()
    satisfaction = serializers.IntegerField(allow_null=True)
    thanked = serializers.BooleanField()
    closing_note = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()
    reopen_count = serializers.IntegerField()
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
            OpenApiParameter("q", str, description="case number, phone prefix or customer name"),
            OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
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

        def link(key, cursor):
            if not cursor:
                return None
            query = params.copy()
            query.pop("cursor", None)
            query.pop("before", None)
            query[key] = cursor
            return request.build_absolute_uri(f"{reverse('api:case-list')}?{query.urlencode()}")

        return Response(
            {
                "count": page.count,
                "count_is_capped": page.count_capped,
                "next": link("cursor", page.next_cursor),
                "previous": link("before", page.prev_cursor),
                "results": CaseListItemOut(page.items, many=True).data,
            }
        )


class CaseDetailApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(responses=CaseDetailOut)
    def get(self, request, pk):
        return Response(CaseDetailOut(_case(pk), context={"request": request}).data)


def _transition_doc():
    lines = ["Send the step's evidence. Fields per transition:"]
    for name, spec in TRANSITIONS.items():
        fields = ", ".join(spec.form().fields)
        lines.append(f"- `{name}`: {fields}")
    return "\n".join(lines)


# Steps that write rows the detail response shows besides the case itself.
ROWS_ADDED_BY = {"offer_alternatives", "agree"}


class CaseTransitionApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(
        description=_transition_doc(),
        request=OpenApiTypes.OBJECT,
        responses={200: CaseDetailOut},
    )
    def post(self, request, pk, name):
        case = _case(pk)
        if name not in TRANSITIONS:
            raise NotFound(MSG_UNKNOWN)
        data = request.data if isinstance(request.data, dict) else {}
        case_transition(case=case, name=name, actor=request.user, data=data, expected_state=data.get("expected_state"))
        if name in ROWS_ADDED_BY:
            case = _case(pk)  # the prefetched options/commitments are stale; other steps change only the case
        return Response(CaseDetailOut(case, context={"request": request}).data)


class CaseEventsApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(responses=EventOut(many=True))
    def get(self, request, pk):
        return Response(EventOut(selectors.case_events(_case(pk)), many=True).data)


class CaseHistoryApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(responses=HistoryOut(many=True))
    def get(self, request, pk):
        records = list(selectors.case_history(_case(pk))[:500])
        # Newest first: diff each record against the next (older) one in memory, no query per row.
        for record, older in zip(records, [*records[1:], None], strict=True):
            delta = record.diff_against(older) if older is not None else None
            record.changes = {c.field: {"old": c.old, "new": c.new} for c in delta.changes} if delta else {}
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
