"""The retention flag over the API (issue 9, item 7). Thin: the service checks who may, the state
and the input."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_params import body_dict
from core.api_schema import serializer_from_form

from .api import CanWorkCases, CaseDetailOut, _case
from .services.retention import ChurnFlagInput, case_flag_churn_input


class CaseChurnFlagApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="cases_churn_flag",
        description="Flag the case as a retention risk (the customer may leave): its retention guidance then "
        "shows and the escalation rules see `churn_flagged_at`. `source` “customer_words” confirms the churn "
        "words found in what the customer said (400 when there are none). Flagging a flagged case changes "
        "nothing (200). 409 when the case has ended.",
        request=serializer_from_form(ChurnFlagInput, "ChurnFlagIn"),
        responses={200: CaseDetailOut},
    )
    def post(self, request, pk):
        case_flag_churn_input(case=_case(pk), actor=request.user, data=body_dict(request))
        return Response(CaseDetailOut(_case(pk), context={"request": request}).data)
