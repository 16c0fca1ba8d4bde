"""Location pings: the newest position wins, and a job's ETA follows the technician on the road."""

from datetime import timedelta

import pytest
from geopy.distance import great_circle

from fleet.models import Technician
from recovery.learning import default_correction
from recovery.models import EtaRevision, EventKind, Incident
from routing.providers import StraightLineProvider
from tests.factories import BERGAMO, MONZA, SITE
from tests.technician.conftest import API, iso

pytestmark = pytest.mark.django_db


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def ping(phone, *points, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = {"pings": [{"lat": lat, "lon": lon, "at": iso(at)} for lat, lon, at in points]}
    return phone.post(f"{API}/location/", body, format="json", **headers)


def drive_from(origin) -> timedelta:
    """The live promise: the straight-line drive at the depot's truck speed, with the cushion a
    branch without journey history gets (recovery.learning)."""
    drive = StraightLineProvider().leg(origin, SITE, speed_kmh=60).duration
    return default_correction().promised(drive)


@pytest.fixture
def en_route(job, lucas_phone, t0):
    lucas_phone.post(
        f"{API}/jobs/{job.pk}/status/", {"status": "en_route", "at": iso(t0 + minutes(10))}, format="json"
    )
    return Incident.objects.get(pk=job.pk)


def test_the_newest_ping_of_a_batch_becomes_the_position_whatever_the_order(luca, lucas_phone, t0):
    response = ping(
        lucas_phone, (*MONZA, t0 + minutes(30)), (*BERGAMO, t0 + minutes(20)), (*SITE, t0 + minutes(25))
    )

    assert response.status_code == 200
    assert response.json()["accepted"] == 3
    assert response.json()["position"] == {"lat": MONZA[0], "lon": MONZA[1], "at": iso(t0 + minutes(30))}
    luca.refresh_from_db()
    assert (luca.lat, luca.lon, luca.position_updated_at) == (*MONZA, t0 + minutes(30))


def test_a_late_batch_does_not_move_the_technician_back_in_time(luca, lucas_phone, t0):
    ping(lucas_phone, (*MONZA, t0 + minutes(30)))

    late = ping(lucas_phone, (*BERGAMO, t0 + minutes(20)))

    assert late.json()["position_updated"] is False
    assert late.json()["position"]["lat"] == MONZA[0]
    assert Technician.objects.get(pk=luca.pk).lat == MONZA[0]


def test_a_ping_en_route_revises_the_eta_only_when_it_moves_by_the_threshold(en_route, lucas_phone, t0):
    far = ping(lucas_phone, (*BERGAMO, t0 + minutes(20)))
    assert far.json()["eta_revised"] == [en_route.pk]
    expected = t0 + minutes(20) + drive_from(BERGAMO)
    assert Incident.objects.get(pk=en_route.pk).current_eta == expected

    # Three minutes later, barely moved: the ETA shifts by about three minutes, under the threshold.
    small = ping(lucas_phone, (BERGAMO[0], BERGAMO[1] - 0.005, t0 + minutes(23)))
    assert small.json()["eta_revised"] == []

    revisions = EtaRevision.objects.filter(incident=en_route, channel="technician")
    assert [(r.eta, r.at) for r in revisions] == [(expected, t0 + minutes(20))]
    event = en_route.timeline.get(kind=EventKind.ETA_REVISED)
    assert event.detail.startswith(f"Live position, {great_circle(BERGAMO, SITE).km:.1f} km to go")


def test_the_customer_hears_of_a_delay_once_not_on_every_ping(en_route, lucas_phone, t0, sms):
    sms.clear()

    # Stuck in a queue near Bergamo: every ping pushes the ETA six minutes further.
    for at in (t0 + minutes(20), t0 + minutes(26), t0 + minutes(32)):
        assert ping(lucas_phone, (*BERGAMO, at)).json()["eta_revised"] == [en_route.pk]

    # The first revision is well past the promise: one apology. The next two stay within the
    # delay margin of what the customer was just told, so no more texts.
    assert sms == [(en_route.pk, "delay")]
    assert EtaRevision.objects.filter(incident=en_route, channel="technician").count() == 3


def test_pings_before_setting_off_leave_the_promised_eta_alone(job, lucas_phone, t0):
    promised = job.current_eta

    response = ping(lucas_phone, (*BERGAMO, t0 + minutes(5)))

    assert response.json()["eta_revised"] == []
    assert Incident.objects.get(pk=job.pk).current_eta == promised


def test_a_retried_batch_is_applied_once(en_route, lucas_phone, t0):
    first = ping(lucas_phone, (*BERGAMO, t0 + minutes(20)), key="batch-7")
    retry = ping(lucas_phone, (*BERGAMO, t0 + minutes(20)), key="batch-7")

    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert EtaRevision.objects.filter(incident=en_route, channel="technician").count() == 1


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"pings": []}, "pings: Ensure this field has at least 1 elements."),
        ({"pings": [{"lat": 91, "lon": 9, "at": "2026-11-23T10:00:00+01:00"}]}, None),
        ({}, "pings: This field is required."),
    ],
    ids=["empty", "off-the-globe", "missing"],
)
def test_bad_pings_are_a_400(lucas_phone, body, detail):
    response = lucas_phone.post(f"{API}/location/", body, format="json")

    assert response.status_code == 400
    if detail:
        assert response.json()["detail"] == detail


def test_a_batch_larger_than_the_limit_is_refused(lucas_phone, t0, settings):
    limit = settings.PRONTO["LOCATION_BATCH_MAX"]
    body = {"pings": [{"lat": 45.5, "lon": 9.2, "at": iso(t0)}] * (limit + 1)}

    response = lucas_phone.post(f"{API}/location/", body, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == f"pings: Ensure this field has no more than {limit} elements."


def test_a_ping_costs_a_handful_of_statements_not_eleven(
    lucas_phone, luca, t0, django_assert_max_num_queries
):
    # Token with user and technician, roles, the key's insert, the position, the jobs en route, the
    # key's answer; here also the savepoint and its release inside the test's transaction.
    with django_assert_max_num_queries(8):
        answer = ping(lucas_phone, (*BERGAMO, t0 + minutes(1)), key="ping-1")

    assert answer.status_code == 200 and answer.json()["position_updated"] is True
    luca.refresh_from_db()
    assert (luca.lat, luca.lon) == BERGAMO
