"""The desk over the API (issue 9, item 8): its queue, raising a level, handing over, the rules and
what they fired on. Thin: the services check who may, the state and the input."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import roles_of
from cases.api import CanReadCases, CanWorkCases, _case
from cases.choices import Channel
from core.api_params import body_dict
from core.api_schema import serializer_from_form
from core.errors import InvalidInput, NotAllowed
from core.pagination import page_envelope

from .api import EscalationOut, _escalation
from .choices import OPEN_ESCALATION_STATES, EscalationLevel
from .desk_params import desk_query_parse
from .escalations import EscalationHandOverInput, EscalationRaiseInput, escalation_hand_over, escalation_raise
from .rules import active_rules
from .selectors import DESK_SORTS, case_rule_firings, desk_counts, desk_queue
from .views import DESK_READERS


class CanReadDesk(BasePermission):
    message = NotAllowed.default_message
    code = NotAllowed.code

    def has_permission(self, request, view):
        return bool(roles_of(request.user) & DESK_READERS)


class DeskItemOut(EscalationOut):
    case_number = serializers.CharField(source="case.number")
    customer_name = serializers.CharField(source="case.customer_name")
    customer_tier = serializers.CharField(source="case.customer_tier")
    channel = serializers.CharField(source="case.channel")
    deadline_at = serializers.DateTimeField(source="case.deadline_at", allow_null=True)
    customer_types = serializers.SerializerMethodField()

    def get_customer_types(self, escalation) -> list[str]:
        return [t.code for t in escalation.types]


class DeskQueueApi(APIView):
    permission_classes = [CanReadDesk]

    @extend_schema(
        operation_id="escalations_desk_queue",
        description="The desk's queue: open escalations, most urgent first (level, then the customer's tier, "
        "then waiting time) or by the case's deadline; `counts` gives open escalations per level. "
        "Escalation desk, supervisors and auditors.",
        parameters=[
            OpenApiParameter("level", int, enum=EscalationLevel.values),
            OpenApiParameter("state", str, enum=list(OPEN_ESCALATION_STATES)),
            OpenApiParameter("type", str, description="a customer type code: cases tagged with it"),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("sort", str, enum=list(DESK_SORTS)),
            OpenApiParameter("cursor", str, description="from `next`"),
            OpenApiParameter("before", str, description="from `previous`"),
            OpenApiParameter("page_size", int, description="1–100, default 25"),
        ],
        responses=inline_serializer(
            "DeskPage",
            {
                "counts": serializers.DictField(child=serializers.IntegerField(), help_text="level → open"),
                "count": serializers.IntegerField(),
                "count_is_capped": serializers.BooleanField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": DeskItemOut(many=True),
            },
        ),
    )
    def get(self, request):
        query = desk_query_parse(request.query_params, cursor_param="cursor")
        if query.errors:
            raise InvalidInput(fields=query.errors)
        page = desk_queue(query.filters, sort=query.sort, after=query.after, before=query.before, size=query.size)
        counts = {str(level): 0 for level in EscalationLevel.values}
        for (level, _state), n in desk_counts().items():
            counts[str(level)] += n
        envelope = page_envelope(request, page, reverse("api:desk-queue"), DeskItemOut(page.items, many=True).data)
        return Response({"counts": counts, **envelope})


class EscalationRaiseApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="escalations_raise",
        description="Up a level (e.g. L2 → L3) with a reason; desk and supervisors. 400 unless higher; 409 "
        "unless open.",
        request=serializer_from_form(EscalationRaiseInput, "EscalationRaiseIn"),
        responses={200: EscalationOut},
    )
    def post(self, request, pk):
        escalation_raise(escalation=_escalation(pk), actor=request.user, data=body_dict(request))
        return Response(EscalationOut(_escalation(pk)).data)


class EscalationHandOverApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="escalations_hand_over",
        description="Claim a requested escalation for a desk member (supervisors; a desk member for "
        "themselves) or pass an accepted one on (its holder or a supervisor); they become the case's owner. "
        "`to` is the user id.",
        request=serializer_from_form(EscalationHandOverInput, "EscalationHandOverIn"),
        responses={200: EscalationOut},
    )
    def post(self, request, pk):
        escalation_hand_over(escalation=_escalation(pk), actor=request.user, data=body_dict(request))
        return Response(EscalationOut(_escalation(pk)).data)


class RuleOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="in the language asked for (Accept-Language)")
    level = serializers.IntegerField()
    reason = serializers.CharField()
    customer_types = serializers.SerializerMethodField()
    channels = serializers.ListField(child=serializers.CharField())
    tier_at_least = serializers.CharField()
    compensation_above_limit_of = serializers.CharField(help_text="a role code, or empty")
    missed_promises_at_least = serializers.IntegerField(allow_null=True)
    deadline_breached = serializers.BooleanField()
    recent_complaints_at_least = serializers.IntegerField(allow_null=True)
    churn_signal = serializers.BooleanField()

    def get_customer_types(self, rule) -> list[str]:
        return sorted(rule.type_codes)


class EscalationRuleListApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(
        operation_id="escalation_rules_list",
        description="The active escalation rules in the order they are evaluated; all filled-in conditions must hold.",
        responses=RuleOut(many=True),
    )
    def get(self, request):
        return Response(RuleOut(active_rules(), many=True).data)


class RuleFiringOut(serializers.Serializer):
    rule = serializers.CharField(source="rule.code")
    rule_name = serializers.CharField(source="rule.name")
    level = serializers.IntegerField()
    moment = serializers.CharField(help_text="what the case was evaluated on")
    fired_at = serializers.DateTimeField()
    why = serializers.ListField(child=serializers.DictField(), help_text="[{condition, value}] as they held")
    outcome = serializers.CharField()
    escalation = serializers.IntegerField(source="escalation_id", allow_null=True)


class CaseRuleFiringsApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(operation_id="cases_rule_firings_list", responses=RuleFiringOut(many=True))
    def get(self, request, pk):
        return Response(RuleFiringOut(case_rule_firings(_case(pk)), many=True).data)
