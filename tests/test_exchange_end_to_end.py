"""A swap seen by the rental system, through the dispatcher API, on PostgreSQL, Redis and a real
Celery worker: the two contract lines, the downtime credit, the work order, and every event at a
receiver that checks signatures and ids, in the order they happened."""

from decimal import Decimal

import pytest

from contracts.models import RentalLine
from fleet.models import Machine, MachineStatus
from integrations.models import Delivery, DeliveryStatus, Endpoint, EventType, Subscription
from recovery import services
from recovery.models import Incident
from tests.factories import MONZA, machine_at
from tests.fakes.webhook_receiver import FakeRentalSystem
from tests.helpers import wait_until
from workshop.models import WorkOrder

pytestmark = pytest.mark.worker

SECRET = "whsec_end_to_end_secret"


@pytest.fixture
def rental_system():
    server = FakeRentalSystem(secret=SECRET).start()
    yield server
    server.stop()


def test_a_swap_reaches_the_rental_system_as_an_exchange_a_credit_and_a_work_order(
    celery_worker, rental_system, rental, dispatcher_api, technician, mini, monza
):
    endpoint = Endpoint.objects.create(name="SRM", url=rental_system.url, secret=SECRET)
    Subscription.objects.bulk_create(
        Subscription(endpoint=endpoint, event_type=kind) for kind in EventType.values
    )
    RentalLine.objects.filter(rental=rental).update(rate_eur=Decimal("480.00"), rate_period="day")
    machine_at(mini, monza, MONZA, "PR0000002", hour_meter=Decimal("310.5"))

    def post(path, data, key):
        answer = dispatcher_api.post(f"/api/v1/{path}", data, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert answer.status_code in (200, 201), answer.json()
        return answer.json()

    incident = post("incidents/", {"rental": rental.pk, "symptom": "Slew ring seized"}, "log")
    post(f"incidents/{incident['id']}/dispatch/", {"machine": "PR0000002", "technician": technician.pk}, "go")
    post(f"incidents/{incident['id']}/arrive/", {}, "here")
    recovered = post(
        f"incidents/{incident['id']}/recover/",
        {"outcome": "swapped", "hour_meter_in": "1204.5", "hour_meter_out": "310.5"},
        "done",
    )

    # The contract: the broken unit off hire at the swap, the replacement on hire on the same rate.
    lines = dispatcher_api.get(f"/api/v1/rentals/{rental.pk}/lines/").json()
    assert [
        (line["fleet_number"], line["hour_meter_out"], line["hour_meter_in"], line["exchange_reason"])
        for line in lines
    ] == [
        ("PR0000100", "0.0", "1204.5", ""),
        ("PR0000002", "310.5", None, "breakdown"),
    ]
    assert lines[0]["off_hire_at"] == lines[1]["on_hire_at"]
    assert lines[1]["rate_eur"] == "480.00"
    # The credit, on the incident the dispatcher reads.
    assert recovered["downtime_credit"]["status"] == "credited"
    # The workshop.
    order = WorkOrder.objects.get()
    assert (order.machine.fleet_number, order.fault, order.hour_meter) == (
        "PR0000100",
        "Slew ring seized",
        Decimal("1204.5"),
    )

    services.survey_response_record(incident=Incident.objects.get(pk=incident["id"]), score=3)
    closed = dispatcher_api.post(
        f"/api/v1/work-orders/{order.pk}/close/", {"resolution": "Slew ring replaced"}, format="json"
    )
    assert closed.status_code == 200
    assert Machine.objects.get(fleet_number="PR0000100").status == MachineStatus.AVAILABLE

    expected = [
        "incident.opened",
        "replacement.dispatched",
        "rental.exchanged",
        "workorder.opened",
        "rental.downtime_credited",
        "survey.detractor",
        "workorder.closed",
    ]
    wait_until(lambda: rental_system.types() == expected, timeout=30)
    assert rental_system.rejected_signatures == 0
    assert len(set(rental_system.requests)) == len(expected)
    assert rental_system.applied[4]["data"]["amount_eur"] == recovered["downtime_credit"]["amount_eur"]
    wait_until(lambda: not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists())
