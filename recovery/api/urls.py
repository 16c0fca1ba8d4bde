from django.urls import path

from recovery.api import views

urlpatterns = [
    path("incidents/", views.IncidentListCreateView.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident-detail"),
    path(
        "incidents/<int:pk>/suggestions/",
        views.IncidentSuggestionsView.as_view(),
        name="incident-suggestions",
    ),
    path("incidents/<int:pk>/reserve/", views.ReserveView.as_view(), name="incident-reserve"),
    path("incidents/<int:pk>/dispatch/", views.DispatchView.as_view(), name="incident-dispatch"),
    path("incidents/<int:pk>/depart/", views.DepartView.as_view(), name="incident-depart"),
    path("incidents/<int:pk>/arrive/", views.ArriveView.as_view(), name="incident-arrive"),
    path("incidents/<int:pk>/recover/", views.RecoverView.as_view(), name="incident-recover"),
    path("incidents/<int:pk>/close/", views.CloseView.as_view(), name="incident-close"),
    path("incidents/<int:pk>/cancel/", views.CancelView.as_view(), name="incident-cancel"),
    path("incidents/<int:pk>/confirm/", views.ConfirmView.as_view(), name="incident-confirm"),
    path("incidents/<int:pk>/dismiss/", views.DismissView.as_view(), name="incident-dismiss"),
    path("incidents/<int:pk>/reassign/", views.ReassignView.as_view(), name="incident-reassign"),
    path("incidents/<int:pk>/eta/", views.EtaView.as_view(), name="incident-eta"),
    path("incidents/<int:pk>/timeline/", views.TimelineView.as_view(), name="incident-timeline"),
    path("incidents/<int:pk>/goodwill/", views.GoodwillView.as_view(), name="incident-goodwill"),
    path("goodwill/<int:pk>/decision/", views.GoodwillDecisionView.as_view(), name="goodwill-decision"),
    path(
        "customers/<int:customer_id>/recovery-record/",
        views.RecoveryRecordView.as_view(),
        name="customer-recovery-record",
    ),
    path("machines/<int:pk>/status/", views.MachineStatusView.as_view(), name="machine-status"),
    path("rentals/<int:pk>/terms/", views.RentalTermsView.as_view(), name="rental-terms"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow-up-list"),
    path("follow-ups/<int:pk>/", views.FollowUpUpdateView.as_view(), name="follow-up-update"),
]
