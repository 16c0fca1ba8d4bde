from django.urls import path

from integrations.api import views

urlpatterns = [
    path("imports/customers/", views.CustomerImportView.as_view(), name="import-customers"),
    path("imports/rentals/", views.RentalImportView.as_view(), name="import-rentals"),
]
