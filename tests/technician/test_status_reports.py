"""Status taps from a phone that was offline: applied in event-time order, never backwards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recovery import services
from recovery.models import EventKind, Incident
from tests.technician.conftest import API, iso

pytestmark = pytest.mark.django_db


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def report(phone, job, status: str, at, key: str | None = None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = {"status": status, "at": at if isinstance(at, str) else iso(at), **extra}
    return phone.post(f"{API}/jobs/{job.pk}/status/", body, format="json", **headers)


def test_a_late_en_route_after_on_site_is_recorded_without_moving_the_job_back(job, lucas_phone, t0):
    arrived = report(lucas_phone, job, "on_site", t0 + minutes(40))
    late = report(lucas_phone, job, "en_route", t0 + minutes(10))

    assert arrived.status_code == late.status_code == 200
    assert late.json()["status"] == "on_site"
    assert late.json()["en_route_at"] == iso(t0 + minutes(10))
    incident = Incident.objects.get(pk=job.pk)
    event = incident.timeline.get(kind=EventKind.EN_ROUTE)
    assert (event.at, event.from_status, event.to_status) == (t0 + minutes(10), "", "")
    assert (event.data["late"], event.data["time_recorded"]) == (True, True)
    assert [e.kind for e in incident.timeline.filter(channel="technician")] == [
        EventKind.EN_ROUTE,
        EventKind.ON_SITE,
    ]


def test_a_late_en_route_timed_after_the_arrival_keeps_the_arrival_first(job, lucas_phone, t0):
    report(lucas_phone, job, "on_site", t0 + minutes(40))

    late = report(lucas_phone, job, "en_route", t0 + minutes(50))

    assert late.status_code == 200
    assert late.json()["en_route_at"] is None
    data = Incident.objects.get(pk=job.pk).timeline.get(kind=EventKind.EN_ROUTE).data
    assert (data["late"], data["time_recorded"]) == (True, False)


def test_the_same_status_sent_twice_under_two_keys_is_recorded_once(job, lucas_phone, t0):
    report(lucas_phone, job, "en_route", t0 + minutes(10), key="a")
    second = report(lucas_phone, job, "en_route", t0 + minutes(11), key="b")

    assert second.status_code == 200
    assert second.json()["en_route_at"] == iso(t0 + minutes(10))
    assert job.timeline.filter(kind=EventKind.EN_ROUTE).count() == 1


def test_recovered_before_on_site_is_a_409_that_says_what_comes_next(job, lucas_phone, t0):
    report(lucas_phone, job, "en_route", t0 + minutes(10))

    response = report(lucas_phone, job, "recovered", t0 + minutes(20), outcome="swapped")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This job is en route, so it cannot be recovered yet; it can be on_site next.",
        "code": "illegal_transition",
    }


def test_a_cancelled_job_takes_no_more_steps(job, lucas_phone, dispatcher, t0):
    services.incident_cancel(incident=job, reason="Customer fixed it", by=dispatcher)

    response = report(lucas_phone, job, "en_route", t0 + minutes(10))

    assert response.status_code == 409
    assert response.json()["detail"] == "This job is cancelled; there is nothing left to report."


def test_recovered_needs_the_outcome(job, lucas_phone, t0):
    response = report(lucas_phone, job, "recovered", t0 + minutes(20))

    message = "Say how it was recovered: swapped or repaired_on_site."
    assert response.status_code == 400
    assert response.json() == {"detail": message, "code": "invalid", "errors": {"outcome": [message]}}
    assert job.timeline.filter(kind="recovered").count() == 0


def test_a_repair_on_site_is_a_recovery_too(job, lucas_phone, t0):
    report(lucas_phone, job, "on_site", t0 + minutes(30))

    body = report(lucas_phone, job, "recovered", t0 + minutes(50), outcome="repaired_on_site").json()

    assert (body["status"], body["outcome"]) == ("recovered", "repaired_on_site")
    assert (body["on_site_at"], body["recovered_at"]) == (iso(t0 + minutes(30)), iso(t0 + minutes(50)))
    assert Incident.objects.get(pk=job.pk).time_to_recovery == minutes(50)


@pytest.mark.parametrize(
    ("at", "detail"),
    [
        (
            lambda t0: iso(timezone.now() + minutes(10)),
            "at: This time is ahead of ours by more than 5 minutes; check the phone's clock.",
        ),
        (
            lambda t0: timezone.localtime(t0).replace(tzinfo=None).isoformat(),
            "at: Give the time with its UTC offset, e.g. 2026-11-23T10:15:00+01:00.",
        ),
        (
            lambda t0: "yesterday",
            "at: Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
        ),
        (
            lambda t0: iso(t0 - minutes(1)),
            "That time is before the breakdown was reported; check the phone's clock.",
        ),
        (
            lambda t0: iso(t0 - timedelta(days=3)),
            "at: This time is more than 48 hours ago; check the phone's clock.",
        ),
    ],
    ids=["future", "no-offset", "garbage", "before-the-breakdown", "days-old"],
)
def test_a_device_time_we_cannot_trust_is_a_400_with_a_message(job, lucas_phone, t0, at, detail):
    response = report(lucas_phone, job, "en_route", at(t0))

    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert Incident.objects.get(pk=job.pk).status == "dispatched"


def test_a_phone_a_little_ahead_of_our_clock_is_accepted_and_its_time_kept(job, lucas_phone):
    device_time = timezone.now().replace(microsecond=0) + minutes(3)
    before = timezone.now()

    response = report(lucas_phone, job, "en_route", device_time)

    after = timezone.now()
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["en_route_at"]) == ("en_route", iso(device_time))
    incident = Incident.objects.get(pk=job.pk)
    assert incident.en_route_at == device_time
    event = incident.timeline.get(kind=EventKind.EN_ROUTE)
    # When the crew set off is the phone's time; when we heard of it is ours.
    assert event.at == device_time
    assert before <= event.recorded_at <= after


def test_a_retry_replays_the_first_answer_even_after_the_job_moved_on(job, lucas_phone, t0):
    first = report(lucas_phone, job, "en_route", t0 + minutes(10), key="k1")
    report(lucas_phone, job, "on_site", t0 + minutes(30), key="k2")

    retry = report(lucas_phone, job, "en_route", t0 + minutes(10), key="k1")

    assert retry.json() == first.json()
    assert retry.json()["status"] == "en_route"
    assert Incident.objects.get(pk=job.pk).status == "on_site"


def test_a_key_reused_for_another_report_is_refused(job, lucas_phone, t0):
    report(lucas_phone, job, "en_route", t0 + minutes(10), key="k1")

    response = report(lucas_phone, job, "on_site", t0 + minutes(30), key="k1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Incident.objects.get(pk=job.pk).status == "en_route"
