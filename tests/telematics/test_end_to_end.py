"""A red fault on a rented excavator, end to end on PostgreSQL, Redis, a consumer process, a real
Celery worker and the fake Twilio: the provider's signed push, a suspected incident on the board,
the dispatcher confirms, the customer is texted before they call, the replacement is dispatched."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from fleet.models import MachineStatus
from recovery.models import Incident, IncidentStatus
from telematics.signatures import body_signature
from tests import factories
from tests.conftest import api_client_for
from tests.factories import MONZA, SITE
from tests.helpers import wait_until
from tests.telematics.consumers import start_consumer, stop_consumer

pytestmark = pytest.mark.worker


def test_a_red_fault_on_a_rented_excavator_reaches_the_customer_before_they_call(
    sms_worker, fake_twilio, push_provider, mini, milano, monza, technician
):
    excavator = factories.MachineFactory(
        fleet_number="PR0000700",
        pin="KUB0KX019E0000700",
        category=mini,
        home_branch=milano,
        status=MachineStatus.ON_RENT,
        lat=SITE[0],
        lon=SITE[1],
    )
    customer = factories.CustomerFactory(contact_name="Marco Bianchi", language="it")
    factories.RentalFactory(
        customer=customer, machine=excavator, branch=milano, site_address="Via Roma 12, Sesto San Giovanni"
    )
    factories.machine_at(
        mini, monza, MONZA, "PR0000701", position_updated_at=timezone.now() - timedelta(days=1)
    )
    desk = api_client_for(factories.UserFactory(role="dispatcher", username="chiara", first_name="Chiara"))
    number = str(customer.mobile)

    def received(count: int) -> list[str]:
        wait_until(lambda: len(fake_twilio.bodies_to(number)) >= count, timeout=30)
        return fake_twilio.bodies_to(number)

    consumer = start_consumer("e2e", claim_idle=5)
    try:
        # The tracker pushes the fault, signed with the provider's secret.
        fault_at = timezone.now().replace(microsecond=0) - timedelta(minutes=2)
        body = json.dumps(
            {
                "events": [
                    {
                        "pin": excavator.pin,
                        "occurred_at": fault_at.isoformat(),
                        "lat": SITE[0],
                        "lon": SITE[1],
                        "engine_running": True,
                        "fault": {
                            "spn": 110,
                            "fmi": 0,
                            "severity": "red",
                            "description": "motore surriscaldato",
                        },
                    }
                ]
            }
        ).encode()
        pushed = APIClient().post(
            "/api/v1/telematics/events/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {push_provider.token}",
            HTTP_X_PRONTO_SIGNATURE=body_signature(secret=push_provider.signing_secret, body=body),
        )
        assert pushed.status_code == 202, pushed.json()

        # The consumer loads it: a suspected incident on the board, nobody texted yet.
        incident = wait_until(lambda: Incident.objects.filter(broken_machine=excavator).first(), timeout=30)
        board = desk.get("/api/v1/incidents/?open=true").json()["results"]
        assert [(i["id"], i["status"]) for i in board] == [(incident.pk, "suspected")]
        assert fake_twilio.bodies_to(number) == []

        # The dispatcher confirms: the customer hears from us, by name, in Italian, with an arrival time.
        confirmed = desk.post(f"/api/v1/incidents/{incident.pk}/confirm/")
        assert confirmed.status_code == 200, confirmed.json()
        incident.refresh_from_db()
        assert incident.status == IncidentStatus.REPORTED
        first = received(1)[0]
        told = timezone.localtime(incident.customer_told_eta).strftime("%H:%M")
        assert first.startswith(
            "Marco, la sua macchina (Mini excavator 1.5-2 t) in Via Roma 12 ha segnalato un guasto alle "
            f"{timezone.localtime(fault_at).strftime('%H:%M')} (motore surriscaldato (SPN 110 FMI 0)): "
            f"stiamo già preparando la sostituta, arrivo previsto verso le {told}."
        )

        # The normal flow: the planned replacement is dispatched, the arrival time follows.
        suggestions = desk.get(f"/api/v1/incidents/{incident.pk}/suggestions/").json()
        assert suggestions["suggestions"][0]["fleet_number"] == "PR0000701"
        dispatched = desk.post(
            f"/api/v1/incidents/{incident.pk}/dispatch/",
            {"machine": "PR0000701", "technician": technician.pk},
            format="json",
        )
        assert dispatched.status_code == 200, dispatched.json()
        assert "Luca" in received(2)[1]
    finally:
        stop_consumer(consumer)
