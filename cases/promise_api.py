"""Promise endpoints (issue 8): make one on a case, log a call, reschedule, cancel, read one, and
list them with filters ("my overdue callbacks": ?keeper=me&overdue=true). Thin: parse, call a
selector or a service (services/promises.py, which checks who may, the state and the input)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_params import FALSE_WORDS, MSG_TRUE_OR_FALSE, TRUE_WORDS, body_dict
from core.api_schema import serializer_from_form
from core.errors import InvalidInput, NotFound
from core.inputs import range_problem
from core.pagination import page_envelope

from .api import CanReadCases, CanWorkCases, OwnerOut, PromiseOut
from .choices import OPEN_PROMISE_STATES, PromiseState
from .models import Case
from .promise_inputs import PromiseCallInput, PromiseCancelInput, PromiseMakeInput, PromiseRescheduleInput
from .promise_selectors import STATE_OPEN, PromiseFilters, promise_detail, promise_list
from .queue_params import ECHO_MAX_LENGTH, MSG_PAGE_SIZE, MSG_UNKNOWN_VALUE
from .selectors import MAX_PAGE_SIZE
from .services import promise_call, promise_cancel, promise_make, promise_reschedule
from .services.promises import retry_message

KEEPER_ME = "me"
PROMISE_STATES = (STATE_OPEN, *PromiseState.values)
MSG_KEEPER = _("“me”, or a user id: a whole number from 1.")
MSG_CASE_ID = _("A case id is required: a whole number from 1.")
MSG_DATETIME = _("Enter a date and time, e.g. 2026-12-01T09:30:00+08:00 (without an offset: your time zone).")
DEFAULT_PAGE_SIZE = 25


class PromiseCaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    customer_name = serializers.CharField()


class PromiseItemOut(PromiseOut):
    kind_label = serializers.CharField(source="get_kind_display")
    state_label = serializers.CharField(source="get_state_display")
    case = PromiseCaseOut()
    promised_by = OwnerOut(allow_null=True)
    created_at = serializers.DateTimeField()
    first_attempt_at = serializers.DateTimeField(allow_null=True)
    is_open = serializers.BooleanField()
    is_overdue = serializers.SerializerMethodField(help_text="open and due before now")

    def get_is_overdue(self, promise) -> bool:
        return promise.state in OPEN_PROMISE_STATES and promise.due_at < self.context["now"]


class PromiseCallOut(serializers.Serializer):
    promise = PromiseItemOut()
    retry_message = serializers.CharField(
        allow_null=True,
        help_text="when the customer was not reached and the promise is still open: when to call again "
        "and when it counts as kept",
    )


def _out(promise):
    return PromiseItemOut(promise, context={"now": timezone.now()}).data


def _promise(pk):
    promise = promise_detail(pk)
    if promise is None:
        raise NotFound()
    return promise


# --- the list's parameters: strict, each refused value named (like the case queue's) -------------


def _whole(raw, message):
    if not raw.isdecimal() or not raw.isascii() or int(raw) < 1 or int(raw) >= 2**63:
        raise ValueError(message)
    return int(raw)


def _keeper(user):
    def parse(raw):
        return user.pk if raw == KEEPER_ME else _whole(raw, MSG_KEEPER)

    return parse


def _bool(raw):
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise ValueError(MSG_TRUE_OR_FALSE)


def _state(raw):
    if raw not in PROMISE_STATES:
        raise ValueError(MSG_UNKNOWN_VALUE % {"value": raw[:ECHO_MAX_LENGTH], "choices": ", ".join(PROMISE_STATES)})
    return raw


def _datetime(raw):
    try:
        value = parse_datetime(raw)
    except ValueError:  # well formed but no such date (02-30)
        value = None
    if value is None:
        raise ValueError(MSG_DATETIME)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    problem = range_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _size(raw):
    size = int(raw) if raw.isdecimal() and raw.isascii() and len(raw) < 4 else 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError(MSG_PAGE_SIZE % {"low": 1, "high": MAX_PAGE_SIZE})
    return size


def promise_query_parse(query, user):
    """(filters, page size) from `query`; every value that cannot be used is a 400 naming it."""
    errors = {}

    def read(name, parse, default=None):
        raw = query.get(name)
        if raw in (None, ""):
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            errors[name] = [exc.args[0]]
            return default

    filters = PromiseFilters(
        keeper_id=read("keeper", _keeper(user)),
        overdue=read("overdue", _bool),
        state=read("state", _state),
        case_id=read("case", lambda raw: _whole(raw, MSG_CASE_ID)),
        due_before=read("due_before", _datetime),
        due_after=read("due_after", _datetime),
    )
    size = read("page_size", _size, DEFAULT_PAGE_SIZE)
    if errors:
        raise InvalidInput(fields=errors)
    return filters, size


DATETIME_HELP = "ISO 8601; without an offset, the caller's time zone. Between 1970 and 2099."


class PromiseListApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(
        operation_id="promises_list",
        description="Promises by due time (then id), oldest first, in keyset pages. Filters combine.",
        parameters=[
            OpenApiParameter("keeper", str, description="`me`, or a user id: the promises they are to keep"),
            OpenApiParameter("overdue", bool, description="true: open and due before now; false: all others"),
            OpenApiParameter("state", str, enum=list(PROMISE_STATES), description="open: scheduled or missed"),
            OpenApiParameter("case", int, description="a case id"),
            OpenApiParameter("due_before", str, description=f"due before this time. {DATETIME_HELP}"),
            OpenApiParameter("due_after", str, description=f"due at or after this time. {DATETIME_HELP}"),
            OpenApiParameter("cursor", str, description="from `next`"),
            OpenApiParameter("before", str, description="from `previous`"),
            OpenApiParameter("page_size", int, description=f"1–{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}"),
        ],
        responses=inline_serializer(
            "PromisePage",
            {
                "count": serializers.IntegerField(),
                "count_is_capped": serializers.BooleanField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": PromiseItemOut(many=True),
            },
        ),
    )
    def get(self, request):
        params = request.query_params
        filters, size = promise_query_parse(params, request.user)
        page = promise_list(filters, after=params.get("cursor") or None, before=params.get("before") or None, size=size)

        results = PromiseItemOut(page.items, many=True, context={"now": timezone.now()}).data
        return Response(page_envelope(request, page, reverse("api:promise-list"), results))


class PromiseDetailApi(APIView):
    permission_classes = [CanReadCases]

    @extend_schema(operation_id="promises_retrieve", responses=PromiseItemOut)
    def get(self, request, pk):
        return Response(_out(_promise(pk)))


class PromiseMakeApi(APIView):
    permission_classes = [CanReadCases, CanWorkCases]

    @extend_schema(
        operation_id="cases_promises_create",
        summary="Make a promise to the customer",
        description="A callback or a thing we will do, by a time in the future, kept by the case's owner. "
        "`phone` defaults to the customer's for a call. Only on an open case (else 409).",
        request=serializer_from_form(PromiseMakeInput, "PromiseMakeIn"),
        responses={201: PromiseItemOut},
    )
    def post(self, request, pk):
        case = Case.objects.filter(pk=pk).first()
        if case is None:
            raise NotFound()
        promise = promise_make(case=case, actor=request.user, data=body_dict(request))
        return Response(_out(_promise(promise.pk)), status=201)


class PromiseCallApi(APIView):
    permission_classes = [CanReadCases, CanWorkCases]

    @extend_schema(
        operation_id="promises_call",
        summary="Log a call made to keep a promise (or the thing done)",
        description="Reached (or a thing done): kept. Not reached: an attempt; after the retry rule's attempts, "
        "spaced apart, it counts as kept. 409 when it is no longer open.",
        request=serializer_from_form(PromiseCallInput, "PromiseCallIn"),
        responses={200: PromiseCallOut},
    )
    def post(self, request, pk):
        promise = promise_call(promise=_promise(pk), actor=request.user, data=body_dict(request))
        promise = _promise(promise.pk)
        still_open = promise.state in OPEN_PROMISE_STATES
        return Response({"promise": _out(promise), "retry_message": retry_message(promise) if still_open else None})


class PromiseRescheduleApi(APIView):
    permission_classes = [CanReadCases, CanWorkCases]

    @extend_schema(
        operation_id="promises_reschedule",
        summary="Reschedule a promise",
        description="Closes this promise as rescheduled and answers its successor at the new time "
        "(`rescheduled_from` names this one). Asked for by the customer, it is not a broken promise.",
        request=serializer_from_form(PromiseRescheduleInput, "PromiseRescheduleIn"),
        responses={200: PromiseItemOut},
    )
    def post(self, request, pk):
        successor = promise_reschedule(promise=_promise(pk), actor=request.user, data=body_dict(request))
        return Response(_out(_promise(successor.pk)))


class PromiseCancelApi(APIView):
    permission_classes = [CanReadCases, CanWorkCases]

    @extend_schema(
        operation_id="promises_cancel",
        summary="Cancel a promise",
        description="The customer will not be called; the reason stays on the record.",
        request=serializer_from_form(PromiseCancelInput, "PromiseCancelIn"),
        responses={200: PromiseItemOut},
    )
    def post(self, request, pk):
        promise = promise_cancel(promise=_promise(pk), actor=request.user, data=body_dict(request))
        return Response(_out(_promise(promise.pk)))
