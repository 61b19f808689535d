"""Compensation approvals over the API (issue 9, item 5): list and ask on a case, decide one, read the
authority limits. Thin: approvals.py checks who may, the state and the input."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api import CanReadCases, CanWorkCases, _case
from core.api_params import body_dict
from core.api_schema import serializer_from_form
from core.errors import NotFound

from .approvals import ApprovalDecideInput, ApprovalRequestInput, approval_decide, approval_request
from .models import AuthorityLimit, CompensationApproval


class ApprovalOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    round = serializers.IntegerField(source="option.round")
    option = serializers.IntegerField(source="option.position", help_text="the option's position in its round")
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    reason = serializers.CharField()
    automatic = serializers.BooleanField(help_text="opened when the option was offered above the proposer's limit")
    requested_by = serializers.CharField(source="requested_by.username")
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


class AuthorityLimitOut(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    limit = serializers.DecimalField(max_digits=10, decimal_places=2)


def _approvals():
    return CompensationApproval.objects.select_related("option", "requested_by", "decided_by")


def _approval(pk):
    approval = _approvals().filter(pk=pk).first()
    if approval is None:
        raise NotFound()
    return approval


class CaseApprovalsApi(APIView):
    def get_permissions(self):
        return [CanReadCases()] if self.request.method == "GET" else [CanWorkCases()]

    @extend_schema(operation_id="cases_approvals_list", responses=ApprovalOut(many=True))
    def get(self, request, pk):
        rows = _approvals().filter(case=_case(pk)).order_by("requested_at", "id")
        return Response(ApprovalOut(rows, many=True).data)

    @extend_schema(
        operation_id="cases_approvals_request",
        description="Ask for approval of an option of the current round (its position) whose compensation is "
        "above the authority of whoever offered it (offering opens these by itself). 400 when the option needs "
        "none; 409 when one awaits a decision or is approved, or the case is not at “alternatives offered”.",
        request=serializer_from_form(ApprovalRequestInput, "ApprovalRequestIn"),
        responses={201: ApprovalOut},
    )
    def post(self, request, pk):
        approval = approval_request(case=_case(pk), actor=request.user, data=body_dict(request))
        return Response(ApprovalOut(_approval(approval.pk)).data, status=201)


class ApprovalDecideApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="approvals_decide",
        description="Approve or reject, with the reason. 403 when the amount is above the caller's authority "
        "limit or the caller asked for it; 409 unless it awaits a decision.",
        request=serializer_from_form(ApprovalDecideInput, "ApprovalDecideIn"),
        responses={200: ApprovalOut},
    )
    def post(self, request, pk):
        approval_decide(approval=_approval(pk), actor=request.user, data=body_dict(request))
        return Response(ApprovalOut(_approval(pk)).data)


class AuthorityLimitListApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(operation_id="authority_limits_list", responses=AuthorityLimitOut(many=True))
    def get(self, request):
        return Response(AuthorityLimitOut(AuthorityLimit.objects.order_by("limit", "role"), many=True).data)
