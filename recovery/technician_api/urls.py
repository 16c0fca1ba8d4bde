from django.urls import path

from recovery.technician_api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="technician-me"),
    path("shift/", views.ShiftView.as_view(), name="technician-shift"),
    path("location/", views.LocationView.as_view(), name="technician-location"),
    path("jobs/", views.JobListView.as_view(), name="technician-jobs"),
    path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="technician-job"),
    path("jobs/<int:pk>/accept/", views.JobAcceptView.as_view(), name="technician-job-accept"),
    path("jobs/<int:pk>/decline/", views.JobDeclineView.as_view(), name="technician-job-decline"),
    path("jobs/<int:pk>/status/", views.JobStatusView.as_view(), name="technician-job-status"),
    path("jobs/<int:pk>/notes/", views.JobNotesView.as_view(), name="technician-job-notes"),
    path("jobs/<int:pk>/cause/", views.JobCauseView.as_view(), name="technician-job-cause"),
    path("jobs/<int:pk>/photos/", views.JobPhotosView.as_view(), name="technician-job-photos"),
]
