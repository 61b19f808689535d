from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.choices import CustomerTier
from core.api_schema import serializer_from_form

from .corrections import customer_correct
from .forms import IntakeForm
from .services import complaint_log, complaint_log_once

IntakeIn = serializer_from_form(IntakeForm, "ComplaintIntake")
ComplaintLoggedOut = inline_serializer(
    "ComplaintLogged",
    {
        "complaint_id": serializers.IntegerField(),
        "customer_id": serializers.IntegerField(),
        "customer_created": serializers.BooleanField(help_text="false on a replayed request"),
        "case_id": serializers.IntegerField(),
        "case_number": serializers.CharField(),
        "case_state": serializers.CharField(),
        "warnings": serializers.ListField(
            child=inline_serializer(
                "IntakeWarning", {"field": serializers.CharField(), "message": serializers.CharField()}
            ),
            help_text="what was typed about a known customer but not taken (intake never renames or re-tiers)",
        ),
    },
)


class ComplaintCreateApi(APIView):
    """Log a complaint from a CTI/CRM: reuses the customer (id, account number or phone), creates
    the complaint and opens its case — or attaches it to one of the customer's open cases."""

    @extend_schema(
        description=(
            "Send an `Idempotency-Key` header (1–100 of A–Z a–z 0–9 - _ . :) to make retries safe: the same "
            "key with the same body answers 200 with the complaint first logged (header `Idempotent-Replayed: "
            "true`) instead of logging a second; the same key with another body is a 409."
        ),
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        request=IntakeIn,
        responses={201: ComplaintLoggedOut, 200: ComplaintLoggedOut},
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        key = request.headers.get("Idempotency-Key")
        replayed = False
        if key is None:
            complaint, customer_created = complaint_log(actor=request.user, data=data)
        else:
            complaint, customer_created, replayed = complaint_log_once(actor=request.user, data=data, key=key)
        case = complaint.case
        response = Response(
            {
                "complaint_id": complaint.pk,
                "customer_id": complaint.customer_id,
                "customer_created": customer_created,
                "case_id": case.pk,
                "case_number": case.number,
                "case_state": case.state,
                "warnings": [
                    {"field": field, "message": str(message)}
                    for field, message in getattr(complaint, "intake_warnings", {}).items()
                ],
            },
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class CustomerCorrectApi(APIView):
    """Correct a customer's name or tier (escalation desk and supervisors), with a reason."""

    @extend_schema(
        request=inline_serializer(
            "CustomerCorrectIn",
            {
                "name": serializers.CharField(required=False),
                "tier": serializers.ChoiceField(choices=CustomerTier.choices, required=False),
                "reason": serializers.CharField(),
            },
        ),
        responses={
            200: inline_serializer(
                "CustomerOut",
                {"id": serializers.IntegerField(), "name": serializers.CharField(), "tier": serializers.CharField()},
            )
        },
    )
    def post(self, request, pk):
        data = request.data if isinstance(request.data, dict) else {}
        customer = customer_correct(
            actor=request.user, customer_id=pk, name=data.get("name"), tier=data.get("tier"), reason=data.get("reason")
        )
        return Response({"id": customer.pk, "name": customer.name, "tier": customer.tier})
