"""The workshop: the broken unit is back in the hire pool only when its work order closes, and the
days each unit spent out of service are a figure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fleet.models import Machine, MachineStatus
from tests.factories import MONZA, machine_at
from tests.integrations.helpers import swap
from workshop.models import WorkOrder, WorkOrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def replacement(mini, monza):
    return machine_at(mini, monza, MONZA, "PR0000002")


@pytest.fixture
def work_order(rental, dispatcher, technician, replacement):
    swap(
        rental=rental,
        dispatcher=dispatcher,
        technician=technician,
        replacement=replacement,
        t0=timezone.now() - timedelta(days=3),
    )
    return WorkOrder.objects.get()


def test_the_unit_stays_out_of_the_pool_until_its_work_order_closes(work_order, dispatcher_api):
    refused = dispatcher_api.post(
        f"/api/v1/machines/{work_order.machine_id}/status/", {"status": "available"}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "open_incident"
    assert f"WO-{work_order.pk}" in refused.json()["detail"]
    assert Machine.objects.get(pk=work_order.machine_id).status == MachineStatus.IN_REPAIR

    listed = dispatcher_api.get("/api/v1/work-orders/", {"status": "open"}).json()["results"]
    assert [(row["number"], row["fleet_number"], row["severity"]) for row in listed] == [
        (f"WO-{work_order.pk}", "PR0000100", "hard_down")
    ]

    closed = dispatcher_api.post(
        f"/api/v1/work-orders/{work_order.pk}/close/",
        {"resolution": "Hose replaced, pressure tested", "billing_type": "warranty"},
        format="json",
    )
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["status"], closed.json()["billing_type"], closed.json()["machine_status"]) == (
        "closed",
        "warranty",
        "available",
    )


def test_closing_answers_documented_errors(work_order, dispatcher_api, anonymous_api):
    url = f"/api/v1/work-orders/{work_order.pk}/close/"
    no_resolution = dispatcher_api.post(url, {"resolution": ""}, format="json")
    assert (no_resolution.status_code, no_resolution.json()["code"]) == (400, "invalid")
    assert "resolution" in no_resolution.json()["errors"]
    assert dispatcher_api.post(url, {"resolution": "Fixed"}, format="json").status_code == 200
    again = dispatcher_api.post(url, {"resolution": "Fixed"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "work_order_closed")
    missing = dispatcher_api.post("/api/v1/work-orders/999999/close/", {"resolution": "Fixed"}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert anonymous_api.post(url, {"resolution": "Fixed"}, format="json").status_code in (401, 403)


def test_days_out_of_service_per_unit_come_from_the_status_history(
    rental, dispatcher, technician, replacement, dispatcher_api
):
    from workshop import services

    t0 = timezone.now() - timedelta(days=3)
    swap(rental=rental, dispatcher=dispatcher, technician=technician, replacement=replacement, t0=t0)
    services.work_order_close(
        work_order=WorkOrder.objects.get(),
        resolution="Engine rebuilt",
        by=dispatcher,
        at=t0 + timedelta(days=2),
    )

    figures = dispatcher_api.get("/api/v1/workshop/out-of-service/", {"days": 30}).json()
    assert figures == [{"machine_id": rental.machine_id, "fleet_number": "PR0000100", "days": 2.0}]
    history = dispatcher_api.get(f"/api/v1/machines/{rental.machine_id}/status-history/").json()["results"]
    assert [row["status"] for row in history] == ["available", "in_repair", "broken"]
    assert WorkOrder.objects.get().status == WorkOrderStatus.CLOSED
    bad = dispatcher_api.get("/api/v1/workshop/out-of-service/", {"days": "lots"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")
