from django.urls import path

from . import views

app_name = "escalation"

urlpatterns = [
    path("", views.desk_queue_view, name="desk"),
    path("cases/<str:number>/types/", views.customer_type_tag_view, name="type_tag"),
    path("cases/<str:number>/types/<slug:code>/remove/", views.customer_type_remove_view, name="type_remove"),
    path("cases/<str:number>/escalate/", views.escalation_request_view, name="request"),
    path("cases/<str:number>/approvals/", views.approval_request_view, name="approval_request"),
    path("approvals/<int:pk>/decide/", views.approval_decide_view, name="approval_decide"),
    path("<int:pk>/<slug:step>/", views.escalation_act_view, name="act"),
]
