"""Reports through the stream into the day-partitioned log and each machine's latest state:
repeats and late reports are harmless, the replacement search sees machines move."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from fleet.models import MachineStatus
from recovery.selectors import replacement_suggestions
from telematics import partitions, services
from telematics.models import MachineEvent, MachineState
from tests import factories
from tests.telematics.helpers import drain, event

pytestmark = pytest.mark.django_db


def _enqueue(*events):
    from telematics import stream

    stream.events_enqueue(events=list(events))


def test_repeated_and_late_reports_leave_one_row_each_and_the_newest_state(mini, milano):
    machine = factories.MachineFactory(category=mini, home_branch=milano, status=MachineStatus.ON_RENT)
    t0 = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    first = event(machine, t0, lat=45.50, lon=9.10, hour_meter=1200.5, engine_running=True)
    newest = event(machine, t0 + timedelta(minutes=10), lat=45.51, lon=9.11, hour_meter=1200.7)
    late = event(
        machine, t0 - timedelta(minutes=10), lat=45.40, lon=9.00, hour_meter=1200.1, engine_running=False
    )

    _enqueue(first, newest)
    _enqueue(first, late, newest)  # a provider's retry, and a report that was stuck in a tunnel
    assert drain() == 5

    assert MachineEvent.objects.filter(machine=machine).count() == 3
    state = MachineState.objects.get(machine=machine)
    assert (state.lat, state.lon) == (45.51, 9.11)
    assert state.hour_meter == Decimal("1200.7")
    assert state.last_seen_at == t0 + timedelta(minutes=10)
    # The engine was last reported running at t0; the late "off" from before must not overwrite it.
    assert state.engine_running is True
    assert state.engine_at == t0


def test_a_batch_loaded_twice_inserts_nothing_the_second_time(mini, milano):
    machine = factories.MachineFactory(category=mini, home_branch=milano)
    at = timezone.now() - timedelta(minutes=5)
    batch = [event(machine, at + timedelta(seconds=n), lat=45.5, lon=9.1) for n in range(50)]

    first = services.events_ingest(events=batch)
    again = services.events_ingest(events=batch)

    assert (first.inserted, first.duplicates) == (50, 0)
    assert (again.inserted, again.duplicates) == (0, 50)
    assert MachineEvent.objects.filter(machine=machine).count() == 50


def test_events_land_in_their_days_partition_and_old_days_are_dropped(mini, milano, settings):
    machine = factories.MachineFactory(category=mini, home_branch=milano)
    today = timezone.now().astimezone(UTC).date()
    two_days_ago = datetime.combine(today - timedelta(days=2), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=9
    )
    services.events_ingest(events=[event(machine, two_days_ago, lat=45.5, lon=9.1)])

    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM telematics_machineevent")
        assert cursor.fetchone()[0] == partitions.partition_name(two_days_ago.date())

    _created, dropped = partitions.partitions_maintain(today=today, ahead_days=2, retention_days=1)
    existing = partitions.partitions_existing()
    assert {today, today + timedelta(days=1), today + timedelta(days=2)} <= existing
    assert two_days_ago.date() in dropped
    assert two_days_ago.date() not in existing
    assert MachineEvent.objects.count() == 0


def test_reports_older_than_the_retention_or_from_the_future_are_dropped(mini, milano, settings):
    machine = factories.MachineFactory(category=mini, home_branch=milano)
    now = timezone.now()
    old = event(machine, now - timedelta(days=settings.TELEMATICS["RETENTION_DAYS"] + 2), lat=45.5, lon=9.1)
    future = event(machine, now + timedelta(days=1), lat=45.5, lon=9.1)

    result = services.events_ingest(events=[old, future])

    assert (result.inserted, result.out_of_range) == (0, 2)
    assert not MachineState.objects.filter(machine=machine).exists()


def _nearest(category, site) -> str:
    return replacement_suggestions(category=category, site=site).suggestions[0].fleet_number


def test_the_replacement_search_ranks_available_machines_from_their_live_position(mini, milano, rental):
    site = factories.SITE
    yesterday = timezone.now() - timedelta(days=1)
    far = factories.machine_at(mini, milano, factories.BERGAMO, "PR0000201", position_updated_at=yesterday)
    factories.machine_at(mini, milano, factories.MILANO, "PR0000202", position_updated_at=yesterday)
    assert _nearest(mini, site) == "PR0000202"

    # The Bergamo machine was brought to the Sesto yard; its tracker says so.
    moved_at = timezone.now() - timedelta(minutes=1)
    services.events_ingest(events=[event(far, moved_at, lat=site[0] + 0.01, lon=site[1])])
    # The rented machine reports from the job site: the fleet keeps the rental's position for it.
    services.events_ingest(events=[event(rental.machine, moved_at, lat=45.0, lon=9.0)])

    assert _nearest(mini, site) == "PR0000201"
    far.refresh_from_db()
    rental.machine.refresh_from_db()
    assert (far.lat, far.position_updated_at) == (pytest.approx(site[0] + 0.01), moved_at)
    assert rental.machine.lat == pytest.approx(factories.SITE[0])
