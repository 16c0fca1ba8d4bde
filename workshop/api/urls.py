from django.urls import path

from workshop.api import views

urlpatterns = [
    path("work-orders/", views.WorkOrderListView.as_view(), name="work-order-list"),
    path("work-orders/<int:pk>/", views.WorkOrderDetailView.as_view(), name="work-order-detail"),
    path("work-orders/<int:pk>/close/", views.WorkOrderCloseView.as_view(), name="work-order-close"),
    path(
        "machines/<int:pk>/status-history/",
        views.MachineStatusHistoryView.as_view(),
        name="machine-status-history",
    ),
    path("workshop/out-of-service/", views.OutOfServiceView.as_view(), name="out-of-service"),
]
