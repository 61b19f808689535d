"""Customer types over the API (issue 9): the playbooks, and tagging a case or removing a type.
Thin: the services check who may, the state and the input."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api import CanReadCases, CanWorkCases, _case
from core.api_params import body_dict
from core.api_schema import serializer_from_form
from core.errors import NotFound

from .escalations import (
    EscalationOutcomeInput,
    EscalationRequestInput,
    escalation_accept,
    escalation_decline,
    escalation_request,
    escalation_resolve,
    escalation_return,
)
from .models import Escalation
from .selectors import case_customer_type_tags
from .services import (
    CustomerTypeRemoveInput,
    CustomerTypeTagInput,
    active_customer_types,
    case_customer_type_remove,
    case_customer_type_tag,
)


class PlaybookOut(serializers.Serializer):
    do = serializers.CharField(help_text="what to do")
    say = serializers.CharField(help_text="what to say")
    avoid = serializers.CharField(help_text="what to avoid")
    hand_over = serializers.CharField(help_text="when to hand over")


class CustomerTypeOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="in the language asked for (Accept-Language)")
    escalation_prone = serializers.BooleanField()
    playbook = PlaybookOut()


class CaseCustomerTypeOut(serializers.Serializer):
    customer_type = CustomerTypeOut()
    note = serializers.CharField()
    tagged_by = serializers.CharField(source="tagged_by.username")
    tagged_at = serializers.DateTimeField()


def _tags(case):
    return CaseCustomerTypeOut(case_customer_type_tags(case), many=True).data


class CustomerTypeListApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(operation_id="customer_types_list", responses=CustomerTypeOut(many=True))
    def get(self, request):
        return Response(CustomerTypeOut(list(active_customer_types().values()), many=True).data)


class CaseCustomerTypesApi(APIView):
    def get_permissions(self):
        return [CanReadCases()] if self.request.method == "GET" else [CanWorkCases()]

    @extend_schema(operation_id="cases_customer_types_list", responses=CaseCustomerTypeOut(many=True))
    def get(self, request, pk):
        return Response(_tags(_case(pk)))

    @extend_schema(
        operation_id="cases_customer_types_tag",
        description="Tag the case with a customer type (its playbook then shows beside the steps). 409 when "
        "the case already has it or has ended.",
        request=serializer_from_form(CustomerTypeTagInput, "CustomerTypeTagIn"),
        responses={200: CaseCustomerTypeOut(many=True)},
    )
    def post(self, request, pk):
        case = _case(pk)
        case_customer_type_tag(case=case, actor=request.user, data=body_dict(request))
        return Response(_tags(case))


class CaseCustomerTypeRemoveApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="cases_customer_types_remove",
        description="Take a customer type off the case, with the reason (the tag stays on the record). 409 "
        "when the case does not have it.",
        request=serializer_from_form(CustomerTypeRemoveInput, "CustomerTypeRemoveIn"),
        responses={200: CaseCustomerTypeOut(many=True)},
    )
    def post(self, request, pk, code):
        case = _case(pk)
        case_customer_type_remove(case=case, actor=request.user, code=code, data=body_dict(request))
        return Response(_tags(case))


class EscalationOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    level = serializers.IntegerField()
    level_label = serializers.CharField(source="get_level_display")
    reason = serializers.CharField()
    trigger = serializers.CharField(help_text="empty when a person asked")
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True, default=None)
    requested_at = serializers.DateTimeField()
    accepted_by = serializers.CharField(source="accepted_by.username", allow_null=True, default=None)
    accepted_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()


def _escalation(pk):
    escalation = Escalation.objects.select_related("case", "requested_by", "accepted_by").filter(pk=pk).first()
    if escalation is None:
        raise NotFound()
    return escalation


class CaseEscalationsApi(APIView):
    def get_permissions(self):
        return [CanReadCases()] if self.request.method == "GET" else [CanWorkCases()]

    @extend_schema(operation_id="cases_escalations_list", responses=EscalationOut(many=True))
    def get(self, request, pk):
        rows = Escalation.objects.filter(case=_case(pk)).select_related("requested_by", "accepted_by")
        return Response(EscalationOut(rows.order_by("requested_at", "id"), many=True).data)

    @extend_schema(
        operation_id="cases_escalations_request",
        description="Ask for the escalation desk, with a level and a reason. 409 when the case is already "
        "escalated or has ended.",
        request=serializer_from_form(EscalationRequestInput, "EscalationRequestIn"),
        responses={201: EscalationOut},
    )
    def post(self, request, pk):
        escalation = escalation_request(case=_case(pk), actor=request.user, data=body_dict(request))
        return Response(EscalationOut(_escalation(escalation.pk)).data, status=201)


ESCALATION_ACTIONS = {
    "resolve": escalation_resolve,
    "return": escalation_return,
    "decline": escalation_decline,
}


class EscalationAcceptApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="escalations_accept",
        description="The desk takes the case: the caller becomes its owner. 403 for agents; 409 unless requested.",
        request=None,
        responses={200: EscalationOut},
    )
    def post(self, request, pk):
        escalation_accept(escalation=_escalation(pk), actor=request.user)
        return Response(EscalationOut(_escalation(pk)).data)


ESCALATION_OUTCOME_IN = serializer_from_form(EscalationOutcomeInput, "EscalationOutcomeIn")


def _end(request, pk, action):
    ESCALATION_ACTIONS[action](escalation=_escalation(pk), actor=request.user, data=body_dict(request))
    return Response(EscalationOut(_escalation(pk)).data)


class EscalationResolveApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="escalations_resolve",
        description="Resolved by the desk, with the outcome. 409 unless accepted.",
        request=ESCALATION_OUTCOME_IN,
        responses={200: EscalationOut},
    )
    def post(self, request, pk):
        return _end(request, pk, "resolve")


class EscalationReturnApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="escalations_return",
        description="Back to the agent who had the case, with guidance. 409 unless accepted.",
        request=ESCALATION_OUTCOME_IN,
        responses={200: EscalationOut},
    )
    def post(self, request, pk):
        return _end(request, pk, "return")


class EscalationDeclineApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="escalations_decline",
        description="Not for the desk, with the reason; the case stays with its owner. 409 unless requested.",
        request=ESCALATION_OUTCOME_IN,
        responses={200: EscalationOut},
    )
    def post(self, request, pk):
        return _end(request, pk, "decline")


ESCALATION_END_VIEWS = {
    "resolve": EscalationResolveApi,
    "return": EscalationReturnApi,
    "decline": EscalationDeclineApi,
}
