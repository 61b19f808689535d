"""Customer types over the API (issue 9): the playbooks, and tagging a case or removing a type.
Thin: the services check who may, the state and the input."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api import CanReadCases, _case
from cases.promise_api import CanWorkCases
from core.api_schema import serializer_from_form

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


def _body(request):
    return request.data if isinstance(request.data, dict) else {}


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
        case_customer_type_tag(case=case, actor=request.user, data=_body(request))
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
        case_customer_type_remove(case=case, actor=request.user, code=code, data=_body(request))
        return Response(_tags(case))
