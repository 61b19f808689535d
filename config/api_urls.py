from django.urls import path

from accounts.api import TokenObtainApi
from cases import api as cases_api
from cases import deadline_api, letter_api, promise_api, retention_api
from cases.models import Category, ResponsibleUnit
from complaints import api as complaints_api
from complaints.models import Product
from escalation import api as escalation_api
from escalation import approval_api, desk_api
from notifications import api as notifications_api

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("complaints/", complaints_api.ComplaintCreateApi.as_view(), name="complaint-create"),
    path("customers/<int:pk>/correct/", complaints_api.CustomerCorrectApi.as_view(), name="customer-correct"),
    path("cases/", cases_api.CaseListApi.as_view(), name="case-list"),
    path("cases/<int:pk>/", cases_api.CaseDetailApi.as_view(), name="case-detail"),
    *(
        path(f"cases/<int:pk>/transitions/{name}/", view.as_view(), name=f"case-transition-{name}")
        for name, view in cases_api.STEP_VIEWS.items()
    ),
    path("cases/<int:pk>/transitions/<str:name>/", cases_api.CaseTransitionApi.as_view(), name="case-transition"),
    path("cases/<int:pk>/events/", cases_api.CaseEventsApi.as_view(), name="case-events"),
    path("cases/<int:pk>/history/", cases_api.CaseHistoryApi.as_view(), name="case-history"),
    path("cases/<int:pk>/assign/", cases_api.CaseAssignApi.as_view(), name="case-assign"),
    path("cases/<int:pk>/clock/pause/", deadline_api.CaseClockPauseApi.as_view(), name="case-clock-pause"),
    path("cases/<int:pk>/clock/resume/", deadline_api.CaseClockResumeApi.as_view(), name="case-clock-resume"),
    path("cases/<int:pk>/churn-flag/", retention_api.CaseChurnFlagApi.as_view(), name="case-churn-flag"),
    path("cases/<int:pk>/promises/", promise_api.PromiseMakeApi.as_view(), name="case-promise-make"),
    path("cases/<int:pk>/letters/", letter_api.CaseLettersApi.as_view(), name="case-letters"),
    path("letters/<int:pk>/", letter_api.LetterDetailApi.as_view(), name="letter-detail"),
    path("letters/<int:pk>/pdf", letter_api.LetterPdfApi.as_view(), name="letter-pdf"),
    path("letters/<int:pk>/wording/", letter_api.LetterWordingApi.as_view(), name="letter-wording"),
    path("letters/<int:pk>/retry/", letter_api.LetterRetryApi.as_view(), name="letter-retry"),
    path("letters/<int:pk>/send/", letter_api.LetterSendApi.as_view(), name="letter-send"),
    path("letter-batches/", letter_api.LetterBatchStartApi.as_view(), name="letter-batch-start"),
    path("letter-batches/<int:pk>/", letter_api.LetterBatchDetailApi.as_view(), name="letter-batch-detail"),
    path("letter-batches/<int:pk>/zip", letter_api.LetterBatchZipApi.as_view(), name="letter-batch-zip"),
    path("cases/<int:pk>/customer-types/", escalation_api.CaseCustomerTypesApi.as_view(), name="case-customer-types"),
    path(
        "cases/<int:pk>/customer-types/<slug:code>/remove/",
        escalation_api.CaseCustomerTypeRemoveApi.as_view(),
        name="case-customer-type-remove",
    ),
    path("customer-types/", escalation_api.CustomerTypeListApi.as_view(), name="customer-type-list"),
    path("cases/<int:pk>/escalations/", escalation_api.CaseEscalationsApi.as_view(), name="case-escalations"),
    path("escalations/", desk_api.DeskQueueApi.as_view(), name="desk-queue"),
    path("escalations/<int:pk>/raise/", desk_api.EscalationRaiseApi.as_view(), name="escalation-raise"),
    path("escalations/<int:pk>/hand-over/", desk_api.EscalationHandOverApi.as_view(), name="escalation-hand-over"),
    path("escalation-rules/", desk_api.EscalationRuleListApi.as_view(), name="escalation-rule-list"),
    path("cases/<int:pk>/rule-firings/", desk_api.CaseRuleFiringsApi.as_view(), name="case-rule-firings"),
    path("escalations/<int:pk>/accept/", escalation_api.EscalationAcceptApi.as_view(), name="escalation-accept"),
    *(
        path(f"escalations/<int:pk>/{action}/", view.as_view(), name=f"escalation-{action}")
        for action, view in escalation_api.ESCALATION_END_VIEWS.items()
    ),
    path("cases/<int:pk>/approvals/", approval_api.CaseApprovalsApi.as_view(), name="case-approvals"),
    path("approvals/<int:pk>/decide/", approval_api.ApprovalDecideApi.as_view(), name="approval-decide"),
    path("authority-limits/", approval_api.AuthorityLimitListApi.as_view(), name="authority-limit-list"),
    path("promises/", promise_api.PromiseListApi.as_view(), name="promise-list"),
    path("promises/<int:pk>/", promise_api.PromiseDetailApi.as_view(), name="promise-detail"),
    path("promises/<int:pk>/call/", promise_api.PromiseCallApi.as_view(), name="promise-call"),
    path("promises/<int:pk>/reschedule/", promise_api.PromiseRescheduleApi.as_view(), name="promise-reschedule"),
    path("promises/<int:pk>/cancel/", promise_api.PromiseCancelApi.as_view(), name="promise-cancel"),
    path(
        "reference/categories/",
        cases_api.ReferenceListApi.as_view(model=Category),
        name="reference-categories",
    ),
    path(
        "reference/responsible-units/",
        cases_api.ReferenceListApi.as_view(model=ResponsibleUnit),
        name="reference-units",
    ),
    path("reference/products/", cases_api.ReferenceListApi.as_view(model=Product), name="reference-products"),
    path("notifications/", notifications_api.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read-all/", notifications_api.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path("notifications/preferences/", notifications_api.PreferencesApi.as_view(), name="notification-preferences"),
    path("notifications/<int:pk>/read/", notifications_api.NotificationReadApi.as_view(), name="notification-read"),
]
