from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_schema import serializer_from_form

from .forms import IntakeForm
from .services import complaint_log

IntakeIn = serializer_from_form(IntakeForm, "ComplaintIntake")


class ComplaintCreateApi(APIView):
    """Log a complaint from a CTI/CRM: reuses the customer (id, account number or phone), creates
    the complaint and opens its case — or attaches it to one of the customer's open cases."""

    @extend_schema(
        request=IntakeIn,
        responses={
            201: inline_serializer(
                "ComplaintLogged",
                {
                    "complaint_id": serializers.IntegerField(),
                    "customer_id": serializers.IntegerField(),
                    "customer_created": serializers.BooleanField(),
                    "case_id": serializers.IntegerField(),
                    "case_number": serializers.CharField(),
                    "case_state": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        complaint, customer_created = complaint_log(actor=request.user, data=data)
        case = complaint.case
        return Response(
            {
                "complaint_id": complaint.pk,
                "customer_id": complaint.customer_id,
                "customer_created": customer_created,
                "case_id": case.pk,
                "case_number": case.number,
                "case_state": case.state,
            },
            status=status.HTTP_201_CREATED,
        )
