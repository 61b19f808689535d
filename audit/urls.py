from django.urls import path

from . import dashboard_views, quality_views, views

app_name = "audit"

urlpatterns = [
    path("", views.workspace_view, name="workspace"),
    path("cases/", views.search_view, name="search"),
    path("cases/export.csv", views.export_csv_view, name="export_csv"),
    path("cases/export.xlsx", views.export_xlsx_view, name="export_xlsx"),
    path("cases/<str:number>/timeline/", views.timeline_view, name="timeline"),
    path("dashboard/", dashboard_views.dashboard_view, name="dashboard"),
    path("quality/", quality_views.quality_view, name="quality"),
    path("quality/run/", quality_views.sample_run_view, name="sample_run"),
    path("quality/cases/<int:pk>/", quality_views.scorecard_view, name="scorecard"),
    path("quality/scores/", quality_views.scores_view, name="scores"),
]
