from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_params import query_bool, query_int
from core.errors import InvalidInput, NotFound

from . import selectors
from .events import event_types
from .services import notification_mark_read, preferences_set

MSG_UNKNOWN_EVENTS = _("Unknown event types: %(codes)s.")


class NotificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    event_label = serializers.CharField()
    text = serializers.CharField()
    subject = serializers.CharField(source="subject_ref")
    url = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    read = serializers.SerializerMethodField()

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="only unread: true or false (1 or 0)"),
            OpenApiParameter("since", int, description="only those after this id (catch-up after a reconnect)"),
        ],
        responses=inline_serializer(
            "Inbox", {"unread_count": serializers.IntegerField(), "results": NotificationOut(many=True)}
        ),
    )
    def get(self, request):
        params = request.query_params
        unread = query_bool(params.get("unread"), "unread")
        items = selectors.inbox(request.user, unread_only=unread, since_id=query_int(params.get("since"), "since"))
        return Response(
            {"unread_count": selectors.unread_count(request.user), "results": NotificationOut(items, many=True).data}
        )


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=inline_serializer("Marked", {"marked": serializers.IntegerField()}))
    def post(self, request, pk):
        if selectors.notification_of(request.user, pk) is None:
            raise NotFound()
        return Response({"marked": notification_mark_read(user=request.user, ids=[pk])})


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses=inline_serializer("MarkedAll", {"marked": serializers.IntegerField()}))
    def post(self, request):
        return Response({"marked": notification_mark_read(user=request.user)})


class PreferencesApi(APIView):
    """Which event types also come by e-mail (in-app notifications always arrive)."""

    def _body(self, user):
        return {
            "email": sorted(selectors.email_events_chosen(user)),
            "events": {code: str(label) for code, label in event_types().items()},
        }

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(self._body(request.user))

    @extend_schema(
        request=inline_serializer("PreferencesIn", {"email": serializers.ListField(child=serializers.CharField())}),
        responses=OpenApiTypes.OBJECT,
    )
    def put(self, request):
        wanted = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(wanted, list) or not all(isinstance(code, str) for code in wanted):
            raise InvalidInput(fields={"email": [_("Expected a list of event types.")]})
        unknown = sorted(set(wanted) - set(event_types()))
        if unknown:
            raise InvalidInput(fields={"email": [MSG_UNKNOWN_EVENTS % {"codes": ", ".join(unknown)}]})
        preferences_set(user=request.user, email_events=set(wanted))
        return Response(self._body(request.user))
