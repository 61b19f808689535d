from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/history/", views.case_history, name="history"),
    path("<str:number>/assign/", views.case_assign_view, name="assign"),
    path("<str:number>/steps/<str:name>/", views.case_step, name="step"),
]
