"""The loyalty page's proactive figures: the share of breakdowns where we texted first, the time
from the machine's fault to our message, and how much of the rented fleet reports telematics."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fleet.models import MachineStatus
from recovery import services
from recovery.models import Channel
from telematics.models import MachineState
from tests import factories

pytestmark = pytest.mark.django_db


def _figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)</dd>', page, re.S)
    assert match, name
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_called_first_share_time_to_message_and_coverage(manager_client, dispatcher, mini, milano):
    now = timezone.now()
    rentals = [
        factories.RentalFactory(machine=factories.MachineFactory(category=mini, status=MachineStatus.ON_RENT))
        for _ in range(3)
    ]
    # 1. The machine told us, we texted 10 minutes after its fault: called first.
    first = services.incident_suspect(
        rental=rentals[0], fault_text="Oil pressure low", fault_at=now - timedelta(minutes=12)
    )
    services.incident_confirm(incident=first, by=dispatcher, at=now - timedelta(minutes=2))
    # 2. The machine told us, but the customer texted before we confirmed.
    second = services.incident_suspect(
        rental=rentals[1], fault_text="Overheating", fault_at=now - timedelta(minutes=30)
    )
    services.customer_message_attach(
        incident=second, text="The digger is smoking!", at=now - timedelta(minutes=20)
    )
    services.incident_confirm(incident=second, by=dispatcher, at=now - timedelta(minutes=15))
    # 3. The customer phoned.
    services.incident_log(
        rental=rentals[2], reported_by=dispatcher, channel=Channel.PHONE, symptom="Will not start"
    )
    # A suspicion still open is not a breakdown yet.
    services.incident_suspect(
        rental=factories.RentalFactory(
            machine=factories.MachineFactory(category=mini, status=MachineStatus.ON_RENT)
        ),
        fault_text="Sensor",
        fault_at=now,
    )
    # Coverage: of the machines on rent now (the suspicion's machine is the only one still on rent,
    # plus one more), one reported today.
    reporting = factories.MachineFactory(category=mini, status=MachineStatus.ON_RENT)
    MachineState.objects.create(machine=reporting, last_seen_at=now - timedelta(hours=1))

    assert 'hx-get="/loyalty/called-first/"' in manager_client.get("/loyalty/").content.decode()
    page = manager_client.get("/loyalty/called-first/").content.decode()

    assert _figure(page, "called-first") == "33% (1 / 3)"
    assert _figure(page, "fault-to-message") == "10 min"
    assert _figure(page, "coverage") == "50% (1 / 2)"
