from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("new/", views.intake, name="intake"),
    path("customer-lookup/", views.customer_lookup, name="customer_lookup"),
    path("customers/<int:pk>/correct/", views.customer_correct_view, name="customer_correct"),
]
