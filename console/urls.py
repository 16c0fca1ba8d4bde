"""The console's addresses, mounted at the site root."""

from django.urls import path

from console import board as desk_board
from console import records, views, workshop

app_name = "console"

urlpatterns = [
    path("", views.board, name="board"),
    path("board/rows/", views.board_rows, name="board-rows"),
    path("board/map.json", desk_board.board_map, name="board-map"),
    path("board/filters/", desk_board.board_filters_save, name="board-filters"),
    path("intake/", views.intake, name="intake"),
    path("intake/search/", views.intake_search, name="intake-search"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/dispatch/", views.incident_dispatch, name="incident-dispatch"),
    path("incidents/<int:pk>/eta/", views.incident_eta, name="incident-eta"),
    path("incidents/<int:pk>/conversation/", views.incident_conversation, name="incident-conversation"),
    path("incidents/<int:pk>/reply/", views.incident_reply, name="incident-reply"),
    path("incidents/<int:pk>/customer-phone/", views.incident_customer_phone, name="incident-customer-phone"),
    path("incidents/<int:pk>/goodwill/", views.incident_goodwill, name="incident-goodwill"),
    path("incidents/<int:pk>/<slug:action>/", views.incident_action, name="incident-action"),
    path("goodwill/<int:pk>/decide/", views.goodwill_decide, name="goodwill-decide"),
    path("loyalty/", views.loyalty_page, name="loyalty"),
    path("loyalty/incidents.csv", views.loyalty_csv, name="loyalty-csv"),
    path("loyalty/called-first/", views.loyalty_called_first, name="loyalty-called-first"),
    path("loyalty/follow-ups/<int:pk>/", views.follow_up_update, name="follow-up"),
    path("workshop/", workshop.workshop_page, name="workshop"),
    path("workshop/<int:pk>/close/", workshop.work_order_close, name="work-order-close"),
    path("language/", views.language_set, name="language"),
    path("history/", records.history, name="history"),
    path("customers/<int:pk>/", records.customer_detail, name="customer"),
    path("queue/", records.manager_queue, name="queue"),
]
