from django.urls import path

from . import deadline_views, letter_batch_views, letter_views, promise_views, retention_views, views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("callbacks/", promise_views.my_callbacks, name="callbacks"),
    path("letters/batch/", letter_batch_views.letter_batch_start_view, name="letter_batch_start"),
    path("letters/batches/<int:pk>/", letter_batch_views.letter_batch_view, name="letter_batch"),
    path("letters/batches/<int:pk>/zip/", letter_batch_views.letter_batch_zip_view, name="letter_batch_zip"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/history/", views.case_history, name="history"),
    path("<str:number>/assign/", views.case_assign_view, name="assign"),
    path("<str:number>/steps/<str:name>/", views.case_step, name="step"),
    path("<str:number>/clock/<str:action>/", deadline_views.case_clock_view, name="clock"),
    path("<str:number>/retention/", retention_views.case_churn_flag_view, name="churn_flag"),
    path("<str:number>/letters/", letter_views.letter_request_view, name="letter_request"),
    path("<str:number>/letters/<int:pk>/pdf/", letter_views.letter_pdf_view, name="letter_pdf"),
    path("<str:number>/letters/<int:pk>/retry/", letter_views.letter_retry_view, name="letter_retry"),
    path("<str:number>/letters/<int:pk>/send/", letter_views.letter_send_view, name="letter_send"),
    path("<str:number>/promises/", promise_views.promise_make_view, name="promise_make"),
    path("<str:number>/promises/<int:pk>/<str:action>/", promise_views.promise_action_view, name="promise_action"),
]
