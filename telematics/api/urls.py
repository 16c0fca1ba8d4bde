from django.urls import path

from telematics.api import views

urlpatterns = [
    path("telematics/events/", views.EventPushView.as_view(), name="telematics-events"),
]
