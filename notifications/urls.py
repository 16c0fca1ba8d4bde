from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/twilio/sms/", views.sms_inbound, name="sms-inbound"),
    path("webhooks/twilio/status/<int:message_id>/", views.sms_status_callback, name="sms-status-callback"),
    path("t/brand.css", views.brand_stylesheet, name="tracking-brand-css"),
    path("t/<str:token>/", views.tracking_page, name="tracking-page"),
    path("t/<str:token>/live.json", views.tracking_live, name="tracking-live"),
]
