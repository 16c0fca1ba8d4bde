from django.urls import path

from privacy.api.views import AuditEntryListView

urlpatterns = [
    path("audit/", AuditEntryListView.as_view(), name="audit-list"),
]
