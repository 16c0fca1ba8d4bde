"""Who sees what: a technician sees only their own jobs, and the customer only while it matters."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from recovery import services
from recovery.models import Incident, IncidentStatus
from tests import factories
from tests.technician.conftest import API, iso, phone_of

pytestmark = pytest.mark.django_db

NOT_YOURS = {"detail": "This job is not assigned to you, or does not exist.", "code": "not_found"}


def _every_job_request(phone, pk: int, at: str):
    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64, content_type="image/jpeg")
    return {
        "detail": phone.get(f"{API}/jobs/{pk}/"),
        "photos": phone.get(f"{API}/jobs/{pk}/photos/"),
        "accept": phone.post(f"{API}/jobs/{pk}/accept/", {"at": at}, format="json"),
        "decline": phone.post(f"{API}/jobs/{pk}/decline/", {"reason": "No", "at": at}, format="json"),
        "status": phone.post(f"{API}/jobs/{pk}/status/", {"status": "en_route", "at": at}, format="json"),
        "notes": phone.post(f"{API}/jobs/{pk}/notes/", {"text": "Hi", "at": at}, format="json"),
        "upload": phone.post(f"{API}/jobs/{pk}/photos/", {"file": photo, "taken_at": at}, format="multipart"),
    }


def test_another_technicians_job_is_a_404_like_a_job_that_does_not_exist(job, marcos_phone, t0):
    at = iso(t0 + timedelta(minutes=5))

    for pk in (job.pk, 999_999):
        for name, response in _every_job_request(marcos_phone, pk, at).items():
            assert (name, response.status_code, response.json()) == (name, 404, NOT_YOURS)
    assert Incident.objects.get(pk=job.pk).status == IncidentStatus.DISPATCHED
    assert not job.timeline.filter(channel="technician").exists()


def test_a_technician_lists_only_their_own_jobs(job, marcos_phone, lucas_phone):
    assert marcos_phone.get(f"{API}/jobs/", {"scope": "upcoming"}).json()["count"] == 0
    assert lucas_phone.get(f"{API}/jobs/", {"scope": "upcoming"}).json()["count"] == 1


def test_the_customer_disappears_from_the_app_once_the_job_is_reassigned(job, lucas_phone, dispatcher):
    assert lucas_phone.get(f"{API}/jobs/{job.pk}/").json()["customer"]["phone"] == "+393471234567"

    services.incident_reassign(incident=job, reason="Luca is needed elsewhere", by=dispatcher)

    response = lucas_phone.get(f"{API}/jobs/{job.pk}/")
    assert (response.status_code, response.json()) == (404, NOT_YOURS)
    assert lucas_phone.get(f"{API}/jobs/", {"scope": "upcoming"}).json()["count"] == 0


def test_a_cancelled_job_still_shows_its_status_but_not_the_customer(job, lucas_phone, dispatcher):
    services.incident_cancel(incident=job, reason="Customer fixed it", by=dispatcher)

    body = lucas_phone.get(f"{API}/jobs/{job.pk}/").json()

    assert (body["status"], body["customer"], body["next_steps"]) == ("cancelled", None, [])


def test_recent_jobs_are_the_ones_finished_in_the_last_days(
    luca, rental, replacement, dispatcher, lucas_phone, t0
):
    factories.incident_through(
        "recovered",
        rental=rental,
        by=dispatcher,
        reported_at=t0 - timedelta(days=9),
        machine=replacement,
        technician=luca,
        dispatched_after=2,
        on_site_after=30,
        recovered_after=60,
    )

    assert lucas_phone.get(f"{API}/jobs/", {"scope": "recent"}).json()["count"] == 0
    assert lucas_phone.get(f"{API}/jobs/", {"scope": "recent", "days": 10}).json()["count"] == 1


def test_a_dispatcher_is_told_the_technician_api_is_for_technicians(job, dispatcher):
    response = phone_of(dispatcher).get(f"{API}/jobs/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "This part of the API is for field technicians.",
        "code": "permission_denied",
    }


def test_without_a_token_the_app_is_asked_to_sign_in(job, anonymous_api):
    response = anonymous_api.get(f"{API}/jobs/{job.pk}/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_browser_session_does_not_open_the_technician_api(job, luca):
    browser = APIClient()
    assert browser.login(username="luca", password="pronto")

    assert browser.get(f"{API}/jobs/{job.pk}/").status_code == 401


def test_an_unknown_scope_is_a_400_with_a_message(lucas_phone):
    response = lucas_phone.get(f"{API}/jobs/", {"scope": "yesterday"})

    assert response.status_code == 400
    assert response.json()["detail"] == 'scope: "yesterday" is not a valid choice.'


def test_each_technician_is_throttled_on_their_own(job, lucas_phone, marcos_phone, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "technician": "2/min",
        },
    }

    lucas = [lucas_phone.get(f"{API}/me/").status_code for _ in range(3)]

    assert lucas == [200, 200, 429]
    assert marcos_phone.get(f"{API}/me/").status_code == 200
