from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import REMINDER_MINUTES_MAX
from accounts.services import MSG_REMINDER, profile_reminder_set, reminder_minutes_of
from core.api_params import query_bool, query_int
from core.errors import NotFound

from . import selectors
from .events import event_types
from .services import notification_mark_read, preferences_set

MSG_UNKNOWN_EVENTS = _("Unknown event types: %(codes)s.")
MSG_EVENT_LIST = _("Expected a list of event types.")


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


class PreferencesIn(serializers.Serializer):
    email = serializers.ListField(
        child=serializers.CharField(),
        help_text="event types that also come by e-mail; the others stop (an empty list stops all)",
        error_messages={"not_a_list": MSG_EVENT_LIST},
    )
    reminder_minutes = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=REMINDER_MINUTES_MAX,
        help_text=f"minutes before each promised call the reminder comes, 0–{REMINDER_MINUTES_MAX} "
        "(left as it is when not sent)",
        error_messages={
            key: MSG_REMINDER % {"max": REMINDER_MINUTES_MAX}
            for key in ("invalid", "min_value", "max_value", "max_string_length")
        },
    )

    def validate_email(self, codes):
        unknown = sorted(set(codes) - set(event_types()))
        if unknown:
            raise serializers.ValidationError(MSG_UNKNOWN_EVENTS % {"codes": ", ".join(unknown)})
        return codes


class PreferencesOut(serializers.Serializer):
    email = serializers.ListField(child=serializers.CharField(), help_text="event types that also come by e-mail")
    events = serializers.DictField(child=serializers.CharField(), help_text="every event type -> its label")
    reminder_minutes = serializers.IntegerField(help_text="minutes before each promised call the reminder comes")


class PreferencesApi(APIView):
    """Which event types also come by e-mail (in-app notifications always arrive)."""

    def _body(self, user):
        return {
            "email": sorted(selectors.email_events_chosen(user)),
            "events": {code: str(label) for code, label in event_types().items()},
            "reminder_minutes": reminder_minutes_of(user),
        }

    @extend_schema(responses=PreferencesOut)
    def get(self, request):
        return Response(self._body(request.user))

    @extend_schema(request=PreferencesIn, responses=PreferencesOut)
    def put(self, request):
        body = PreferencesIn(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            if "reminder_minutes" in body.validated_data:
                profile_reminder_set(user=request.user, minutes=body.validated_data["reminder_minutes"])
            preferences_set(user=request.user, email_events=set(body.validated_data["email"]))
        return Response(self._body(request.user))
