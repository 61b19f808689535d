from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.workspace_view, name="workspace"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
]
