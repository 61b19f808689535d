from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("new/", views.intake, name="intake"),
    path("customer-lookup/", views.customer_lookup, name="customer_lookup"),
]
