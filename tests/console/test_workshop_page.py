"""The console's workshop page: the unit waiting for repair, closed there and back for hire; the
downtime credit on the incident page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fleet.models import Machine, MachineStatus
from tests.factories import MONZA, machine_at
from tests.integrations.helpers import swap
from workshop.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def work_order(rental, dispatcher, technician, mini, monza):
    replacement = machine_at(mini, monza, MONZA, "PR0000002")
    incident = swap(
        rental=rental,
        dispatcher=dispatcher,
        technician=technician,
        replacement=replacement,
        t0=timezone.now() - timedelta(hours=3),
    )
    return incident, WorkOrder.objects.get()


def test_the_desk_closes_a_work_order_and_the_unit_is_for_hire_again(dispatcher_client, work_order):
    _, order = work_order
    page = dispatcher_client.get("/workshop/").content.decode()
    assert f"WO-{order.pk}" in page and "PR0000100" in page and "Hydraulic hose burst" in page

    answer = dispatcher_client.post(
        f"/workshop/{order.pk}/close/",
        {"resolution": "Hose replaced", "billing_type": "warranty"},
        follow=True,
    )

    assert f"WO-{order.pk} closed: PR0000100 is available for hire." in answer.content.decode()
    assert "No unit is waiting for repair." in answer.content.decode()
    assert Machine.objects.get(pk=order.machine_id).status == MachineStatus.AVAILABLE


def test_a_missing_resolution_is_a_message_not_an_error_page(dispatcher_client, work_order):
    _, order = work_order
    answer = dispatcher_client.post(
        f"/workshop/{order.pk}/close/", {"resolution": "", "billing_type": "internal"}, follow=True
    )

    assert answer.status_code == 200
    assert "Say what was done and how it is billed." in answer.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).status == "open"


def test_the_incident_page_shows_the_downtime_credit(dispatcher_client, work_order):
    incident, _ = work_order
    page = dispatcher_client.get(f"/incidents/{incident.pk}/").content.decode()

    assert 'id="downtime-credit"' in page
    assert "Hire suspended 1.33 h, from the report to running again." in page
