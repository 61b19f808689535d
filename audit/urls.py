from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.workspace_view, name="workspace"),
    path("quality/", views.quality_view, name="quality"),
    path("quality/run/", views.sample_run_view, name="sample_run"),
    path("quality/cases/<int:pk>/", views.scorecard_view, name="scorecard"),
    path("quality/scores/", views.scores_view, name="scores"),
]
