"""The case's clock (issue 8): pause it while the case waits on the customer, resume it. Thin: the
service (services/deadlines.py) checks who may, the state and the input."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_params import body_dict
from core.api_schema import serializer_from_form

from .api import CanWorkCases, CaseDetailOut, _case
from .services.deadlines import ClockPauseInput, case_clock_pause, case_clock_resume


class CaseClockPauseApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="cases_clock_pause",
        description="Stop the case's deadlines while it waits on the customer. 409 when already paused, "
        "when no deadline runs or the case has ended.",
        request=serializer_from_form(ClockPauseInput, "ClockPauseIn"),
        responses={200: CaseDetailOut},
    )
    def post(self, request, pk):
        case_clock_pause(case=_case(pk), actor=request.user, data=body_dict(request))
        return Response(CaseDetailOut(_case(pk), context={"request": request}).data)


class CaseClockResumeApi(APIView):
    permission_classes = [CanWorkCases]

    @extend_schema(
        operation_id="cases_clock_resume",
        description="Restart the case's deadlines: each is due as much business time from now as it had "
        "left when the clock was paused. 409 when the clock is not paused.",
        request=None,
        responses={200: CaseDetailOut},
    )
    def post(self, request, pk):
        case_clock_resume(case=_case(pk), actor=request.user)
        return Response(CaseDetailOut(_case(pk), context={"request": request}).data)
