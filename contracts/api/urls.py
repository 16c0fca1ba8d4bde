from django.urls import path

from contracts.api import views

urlpatterns = [path("rentals/<int:pk>/lines/", views.RentalLinesView.as_view(), name="rental-lines")]
