"""A breakdown from the phone call to the customer's verdict, through the dispatcher API, on
PostgreSQL, Redis, a real Celery worker and the fake Twilio: every SMS the customer receives, in
order and in their language, and the recovery metrics stored on the incident."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from fleet.models import MachineStatus
from notifications import services as notifications
from recovery.models import CustomerRecoveryRecord, Incident, NpsCategory, SurveyResponse
from routing.providers import StraightLineProvider
from tests import factories
from tests.conftest import api_client_for
from tests.factories import MILANO, MONZA, SITE
from tests.fakes.twilio_server import AUTH_TOKEN
from tests.helpers import wait_until

pytestmark = pytest.mark.worker

PUBLIC = "https://pronto.example.com"

# What each SMS says, in each language, in the order the customer receives them.
EXPECTED = {
    "it": [
        ("Giulia, ci dispiace molto", "Info: +39 02 4870 1100"),
        (
            "Giulia, la macchina sostitutiva (Mini excavator 1.5-2 t) è in viaggio: "
            "Luca sarà da lei verso le",
            f"Segua: {PUBLIC}/t/",
        ),
        ("Giulia, ci scusi: siamo in ritardo. Luca sarà da lei verso le", ""),
        ("Giulia, Luca è in cantiere ora", ""),
        ("Giulia, la macchina è di nuovo al lavoro.", ""),
        ("Giulia, da 0 a 10 quanto ci consiglierebbe", ""),
    ],
    "en": [
        (
            "James, we are very sorry your Mini excavator 1.5-2 t has broken down.",
            "Questions: +39 02 4870 1100",
        ),
        (
            "James, a replacement Mini excavator 1.5-2 t is on its way: Luca will be with you at about",
            f"Follow: {PUBLIC}/t/",
        ),
        ("James, we are sorry: we are running late. Luca will now be with you at about", ""),
        ("James, Luca is on site now with your Mini excavator 1.5-2 t.", ""),
        ("James, you are up and running again.", ""),
        ("James, from 0 to 10, how likely are you to recommend us", ""),
    ],
}


class Clock:
    """The web process's clock, driven by the test: no sleeping for minutes."""

    def __init__(self, start: datetime):
        self.now = start

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(timezone.now().replace(second=0, microsecond=0) - timedelta(hours=4))
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def local_hhmm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def reply_by_sms(number: str, body: str):
    path = "/webhooks/twilio/sms/"
    params = {"From": number, "To": "+390200000001", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, params)
    return Client().post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.mark.parametrize(("language", "contact"), [("it", "Giulia Rossi"), ("en", "James Walker")])
def test_a_breakdown_from_phone_call_to_verdict(sms_worker, fake_twilio, settings, clock, language, contact):
    settings.PUBLIC_BASE_URL = PUBLIC
    milano = factories.BranchFactory(name="Milano", lat=MILANO[0], lon=MILANO[1], average_road_speed_kmh=60)
    monza = factories.BranchFactory(name="Monza", lat=MONZA[0], lon=MONZA[1], average_road_speed_kmh=60)
    mini = factories.CategoryFactory(code="mini-excavator-2t", name="Mini excavator 1.5–2 t")
    customer = factories.CustomerFactory(contact_name=contact, language=language, company="Scavi Srl 4411")
    broken = factories.MachineFactory(category=mini, home_branch=milano, status=MachineStatus.ON_RENT)
    rental = factories.RentalFactory(
        customer=customer,
        machine=broken,
        branch=milano,
        site_lat=SITE[0],
        site_lon=SITE[1],
        recovery_sla_hours=4,
    )
    factories.MachineFactory(
        fleet_number="PR9990002", category=mini, home_branch=monza, lat=MONZA[0], lon=MONZA[1]
    )
    factories.TechnicianFactory(
        user=factories.UserFactory(role="technician", username="luca", first_name="Luca", last_name="Ferri"),
        home_branch=milano,
        skills=[mini],
    )
    desk = api_client_for(factories.UserFactory(role="dispatcher", username="chiara", first_name="Chiara"))
    number = str(customer.mobile)

    def received(count: int) -> list[str]:
        wait_until(lambda: len(fake_twilio.bodies_to(number)) >= count)
        return fake_twilio.bodies_to(number)

    # 09:00 the customer phones: the dispatcher logs the breakdown.
    t0 = clock.now
    created = desk.post(
        "/api/v1/incidents/",
        {"rental": rental.id, "symptom": "Hydraulic hose burst"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="call-1",
    )
    assert created.status_code == 201, created.json()
    incident_id = created.json()["id"]
    received(1)

    # The nearest compatible machine comes first, with Luca suggested.
    suggestions = desk.get(f"/api/v1/incidents/{incident_id}/suggestions/").json()
    assert suggestions["suggestions"][0]["fleet_number"] == "PR9990002"
    assert suggestions["technicians"][0]["name"] == "Luca Ferri"

    # +6 min: reserve and dispatch in one click; the ETA is promised.
    clock.advance(minutes=6)
    dispatched = desk.post(
        f"/api/v1/incidents/{incident_id}/dispatch/", {"machine": "PR9990002"}, format="json"
    )
    assert dispatched.status_code == 200, dispatched.json()
    # Luca drives from Milano to the Monza yard, loads, tows it to the site; no journey history yet,
    # so the promise is that travel time plus 20 %.
    straight = StraightLineProvider()
    travel = (
        straight.leg(MILANO, MONZA).duration
        + timedelta(minutes=20)
        + straight.leg(MONZA, SITE, speed_kmh=60).duration
    )
    promised = t0 + timedelta(minutes=6) + travel * 1.2
    plan = suggestions["suggestions"][0]["plan"]
    assert plan["crew"]["name"] == "Luca Ferri"
    assert [leg["name"] for leg in plan["legs"]] == [
        "crew to the yard",
        "preparation and loading",
        "yard to the site",
    ]
    assert Incident.objects.get(pk=incident_id).first_promised_eta == promised
    assert local_hhmm(promised) in received(2)[1]

    # Traffic: the ETA slips 25 minutes, so the customer hears it from us first.
    clock.advance(minutes=10)
    late = promised + timedelta(minutes=25)
    desk.post(
        f"/api/v1/incidents/{incident_id}/eta/",
        {"eta": late.isoformat(), "reason": "A4 closed"},
        format="json",
    )
    assert local_hhmm(late) in received(3)[2]

    clock.advance(minutes=5)
    assert desk.post(f"/api/v1/incidents/{incident_id}/depart/").status_code == 200
    arrived_at = clock.advance(seconds=(late + timedelta(minutes=3) - clock.now).total_seconds())
    assert desk.post(f"/api/v1/incidents/{incident_id}/arrive/").status_code == 200
    received(4)
    recovered_at = clock.advance(minutes=40)
    recovered = desk.post(f"/api/v1/incidents/{incident_id}/recover/", {"outcome": "swapped"}, format="json")
    assert recovered.status_code == 200, recovered.json()
    received(5)
    clock.advance(minutes=5)
    assert desk.post(f"/api/v1/incidents/{incident_id}/close/").json()["status"] == "closed"

    # An hour after recovery the survey goes out (beat runs this every few minutes).
    clock.advance(minutes=61)
    assert notifications.surveys_queue_due(now=clock.now) == 1
    bodies = received(6)

    assert len(bodies) == 6
    for body, (start, detail) in zip(bodies, EXPECTED[language], strict=True):
        assert body.startswith(start), body
        assert detail in body
        assert "4411" not in body and "Scavi" not in body  # a person, not an account

    # The customer answers 9: a promoter.
    assert reply_by_sms(number, "9").status_code == 200
    assert SurveyResponse.objects.get(incident_id=incident_id).category == NpsCategory.PROMOTER

    incident = Incident.objects.get(pk=incident_id)
    assert incident.time_to_dispatch == timedelta(minutes=6)
    assert incident.time_to_arrival == arrived_at - t0
    assert incident.time_to_recovery == recovered_at - t0
    assert incident.eta_error == timedelta(minutes=28)
    assert incident.promise_kept is False
    assert incident.sla_met is True
    record = CustomerRecoveryRecord.objects.get(customer=customer)
    assert (record.recoveries, record.median_time_to_recovery) == (1, recovered_at - t0)
    kinds = [e["kind"] for e in desk.get(f"/api/v1/incidents/{incident_id}/timeline/").json()]
    assert kinds == [
        "logged",
        "reserved",
        "dispatched",
        "eta_revised",
        "en_route",
        "on_site",
        "recovered",
        "exchanged",
        "downtime_credit",
        "closed",
        "survey_answered",
    ]
