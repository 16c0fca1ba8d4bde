"""Accepting and declining a job from the app; a declined job goes back to the dispatcher."""

from datetime import timedelta

import pytest

from fleet.models import Machine, MachineStatus
from recovery.models import EventKind, Incident
from tests.technician.conftest import API, iso

pytestmark = pytest.mark.django_db


def test_accepting_twice_keeps_the_first_time(job, lucas_phone, t0):
    lucas_phone.post(f"{API}/jobs/{job.pk}/accept/", {"at": iso(t0 + timedelta(minutes=3))}, format="json")
    second = lucas_phone.post(
        f"{API}/jobs/{job.pk}/accept/", {"at": iso(t0 + timedelta(minutes=4))}, format="json"
    )

    assert second.status_code == 200
    assert second.json()["accepted_at"] == iso(t0 + timedelta(minutes=3))
    assert job.timeline.filter(kind=EventKind.ACCEPTED).count() == 1


def test_declining_hands_the_job_back_to_the_dispatcher_with_the_reason(job, lucas_phone, luca, t0):
    response = lucas_phone.post(
        f"{API}/jobs/{job.pk}/decline/",
        {"reason": "Van has a flat tyre", "at": iso(t0 + timedelta(minutes=4))},
        format="json",
        HTTP_IDEMPOTENCY_KEY="decline-1",
    )

    assert response.status_code == 200
    assert response.json() == {"id": job.pk, "detail": "Handed back to the dispatcher."}
    incident = Incident.objects.get(pk=job.pk)
    assert (incident.status, incident.technician, incident.replacement_machine) == ("reported", None, None)
    assert Machine.objects.get(fleet_number="PR0000002").status == MachineStatus.AVAILABLE
    event = incident.timeline.last()
    assert (event.kind, event.detail, event.actor, event.channel) == (
        EventKind.DECLINED,
        "Van has a flat tyre",
        luca.user,
        "technician",
    )
    assert event.data == {"technician_id": luca.pk, "released_machine": "PR0000002"}
    # The retry gets the same answer; without the key the job is simply no longer Luca's.
    retry = lucas_phone.post(
        f"{API}/jobs/{job.pk}/decline/",
        {"reason": "Van has a flat tyre", "at": iso(t0 + timedelta(minutes=4))},
        format="json",
        HTTP_IDEMPOTENCY_KEY="decline-1",
    )
    assert retry.json() == response.json()
    assert lucas_phone.get(f"{API}/jobs/{job.pk}/").status_code == 404


def test_once_en_route_declining_means_calling_the_dispatcher(job, lucas_phone, t0):
    lucas_phone.post(
        f"{API}/jobs/{job.pk}/status/",
        {"status": "en_route", "at": iso(t0 + timedelta(minutes=5))},
        format="json",
    )

    response = lucas_phone.post(
        f"{API}/jobs/{job.pk}/decline/",
        {"reason": "Flat tyre", "at": iso(t0 + timedelta(minutes=9))},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "This job is under way; call the dispatcher to hand it over."


def test_a_decline_needs_a_reason(job, lucas_phone, t0):
    response = lucas_phone.post(
        f"{API}/jobs/{job.pk}/decline/", {"reason": "  ", "at": iso(t0 + timedelta(minutes=4))}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "reason: This field may not be blank."
