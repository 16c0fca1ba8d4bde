from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/twilio/sms/", views.sms_inbound, name="sms-inbound"),
    path("webhooks/twilio/status/<int:message_id>/", views.sms_status_callback, name="sms-status-callback"),
    path("t/<str:token>/", views.tracking_page, name="tracking-page"),
]
