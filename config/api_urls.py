from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from cases import api as cases_api
from complaints import api as complaints_api
from notifications import api as notifications_api

app_name = "api"

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("complaints/", complaints_api.ComplaintCreateApi.as_view(), name="complaint-create"),
    path("cases/", cases_api.CaseListApi.as_view(), name="case-list"),
    path("cases/<int:pk>/", cases_api.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<int:pk>/transitions/<str:name>/", cases_api.CaseTransitionApi.as_view(), name="case-transition"),
    path("cases/<int:pk>/events/", cases_api.CaseEventsApi.as_view(), name="case-events"),
    path("cases/<int:pk>/history/", cases_api.CaseHistoryApi.as_view(), name="case-history"),
    path("cases/<int:pk>/assign/", cases_api.CaseAssignApi.as_view(), name="case-assign"),
    path("notifications/", notifications_api.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read-all/", notifications_api.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path("notifications/preferences/", notifications_api.PreferencesApi.as_view(), name="notification-preferences"),
    path("notifications/<int:pk>/read/", notifications_api.NotificationReadApi.as_view(), name="notification-read"),
]
