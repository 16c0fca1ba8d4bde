"""Luca's whole job through the phone app alone: sign in, accept, drive, arrive, recover —
on a bad network, so some requests are retried and some arrive out of order."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from recovery.learning import default_correction
from recovery.models import EventKind, Incident
from routing.providers import StraightLineProvider
from tests.factories import BERGAMO, MONZA, SITE
from tests.technician.conftest import API, iso

pytestmark = pytest.mark.django_db


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_a_technician_drives_a_job_from_dispatched_to_recovered_through_the_app(job, t0, sms, settings):
    # The promise already counts Luca's drive from Milano to the Monza yard; the queue near Bergamo
    # costs 13 minutes more than that, past a desk that apologises from 10.
    settings.PRONTO = {**settings.PRONTO, "ETA_DELAY_MARGIN_MINUTES": 10}
    phone = APIClient()

    # Sign in.
    login = phone.post("/api/v1/auth/token/", {"username": "luca", "password": "pronto"}, format="json")
    assert login.status_code == 200
    phone.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")

    # The job waits in "upcoming", with what Luca needs to do it.
    upcoming = phone.get(f"{API}/jobs/", {"scope": "upcoming"}).json()
    assert upcoming["count"] == 1
    listed = upcoming["results"][0]
    assert listed["id"] == job.pk
    assert listed["next_steps"] == ["accept", "decline", "en_route", "on_site"]
    assert listed["customer"] == {"contact_first_name": "Giulia", "phone": "+393471234567"}
    assert listed["site"] == {"address": "Via Roma 12, Sesto San Giovanni", "lat": SITE[0], "lon": SITE[1]}
    assert listed["replacement_machine"]["pickup_branch"] == "Monza"
    assert phone.get(f"{API}/jobs/", {"scope": "current"}).json()["count"] == 0

    def post(path: str, body: dict, key: str):
        return phone.post(f"{API}/jobs/{job.pk}/{path}/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    # Accept; the answer is lost in a tunnel, so the app sends it again with the same key.
    accepted = post("accept", {"at": iso(t0 + minutes(3))}, "accept-1")
    again = post("accept", {"at": iso(t0 + minutes(3))}, "accept-1")
    assert accepted.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == accepted.json()
    assert accepted.json()["next_steps"] == ["decline", "en_route", "on_site"]

    # Set off, also retried.
    en_route = post("status", {"status": "en_route", "at": iso(t0 + minutes(10))}, "status-1")
    assert (
        post("status", {"status": "en_route", "at": iso(t0 + minutes(10))}, "status-1").json()
        == en_route.json()
    )
    assert en_route.json()["status"] == "en_route"

    # Stuck behind an accident near Bergamo: the queued positions arrive in one batch, out of order.
    sms.clear()
    pings = phone.post(
        f"{API}/location/",
        {
            "pings": [
                {"lat": BERGAMO[0], "lon": BERGAMO[1], "at": iso(t0 + minutes(22))},
                {"lat": MONZA[0], "lon": MONZA[1], "at": iso(t0 + minutes(12))},
            ]
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="pings-1",
    )
    assert pings.status_code == 200
    assert pings.json()["position"]["lat"] == BERGAMO[0]
    assert pings.json()["eta_revised"] == [job.pk]
    drive = default_correction().promised(StraightLineProvider().leg(BERGAMO, SITE, speed_kmh=60).duration)
    assert phone.get(f"{API}/jobs/{job.pk}/").json()["current_eta"] == iso(t0 + minutes(22) + drive)
    # One ping later, hardly moved: no new revision, and the customer heard of the delay once.
    phone.post(
        f"{API}/location/",
        {"pings": [{"lat": BERGAMO[0], "lon": BERGAMO[1] - 0.01, "at": iso(t0 + minutes(23))}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="pings-2",
    )
    assert sms == [(job.pk, "delay")]

    # On site the phone queues a note and the arrival; they flush note first, arrival second.
    note = post("notes", {"text": "Machine moved to the back gate.", "at": iso(t0 + minutes(45))}, "note-1")
    assert note.status_code == 201
    on_site = post("status", {"status": "on_site", "at": iso(t0 + minutes(40))}, "status-2")
    assert on_site.json()["status"] == "on_site"
    # The app lost the en-route answer and resends it under a new key: nothing moves back.
    late = post("status", {"status": "en_route", "at": iso(t0 + minutes(10))}, "status-1-resent")
    assert late.status_code == 200
    assert late.json()["status"] == "on_site"

    recovered = post(
        "status", {"status": "recovered", "outcome": "swapped", "at": iso(t0 + minutes(70))}, "status-3"
    )
    assert recovered.json()["status"] == "recovered"
    assert recovered.json()["customer"] is None  # the job is done; its contact goes with it
    assert (
        post(
            "status", {"status": "recovered", "outcome": "swapped", "at": iso(t0 + minutes(70))}, "status-3"
        ).json()
        == recovered.json()
    )

    # The lists follow.
    assert phone.get(f"{API}/jobs/").json()["count"] == 0
    assert [j["id"] for j in phone.get(f"{API}/jobs/", {"scope": "recent"}).json()["results"]] == [job.pk]

    # The timeline tells the story in the order it happened on the road, each step once.
    incident = Incident.objects.get(pk=job.pk)
    story = [(e.kind, e.at - t0) for e in incident.timeline.all()]
    assert story == [
        (EventKind.LOGGED, minutes(0)),
        (EventKind.RESERVED, minutes(2)),
        (EventKind.DISPATCHED, minutes(2)),
        (EventKind.ACCEPTED, minutes(3)),
        (EventKind.EN_ROUTE, minutes(10)),
        (EventKind.ETA_REVISED, minutes(22)),
        (EventKind.ON_SITE, minutes(40)),
        (EventKind.NOTE, minutes(45)),
        (EventKind.RECOVERED, minutes(70)),
    ]
    # Device time beside server time: the phone's steps happened before we learnt of them.
    for event in incident.timeline.filter(channel="technician"):
        assert event.at < event.recorded_at
        assert event.actor == job.technician.user

    # The metrics come from the phone's times, not from when the requests landed.
    assert incident.time_to_dispatch == minutes(2)
    assert incident.time_to_arrival == minutes(40)
    assert incident.time_to_recovery == minutes(70)
    assert incident.eta_error == incident.on_site_at - incident.first_promised_eta
    assert incident.sla_met is True
    assert (incident.accepted_at, incident.en_route_at) == (t0 + minutes(3), t0 + minutes(10))

    # Sign out: the token stops working.
    assert phone.post("/api/v1/auth/logout/").status_code == 204
    assert phone.get(f"{API}/jobs/").status_code == 401
