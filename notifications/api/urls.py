from django.urls import path

from notifications.api.views import IncidentMessagesApi

urlpatterns = [
    path("incidents/<int:incident_id>/messages/", IncidentMessagesApi.as_view(), name="incident-messages"),
]
