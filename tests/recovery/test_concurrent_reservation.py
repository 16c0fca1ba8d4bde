"""Two dispatchers, one machine: truly concurrent transactions on PostgreSQL, many rounds."""

import threading
from collections import Counter

import pytest
from django.db import connection

from fleet.models import MachineStatus
from recovery import services
from recovery.errors import MachineUnavailable
from recovery.models import Incident, IncidentStatus
from tests import factories
from tests.factories import MONZA, SITE, machine_at

pytestmark = pytest.mark.django_db(transaction=True)


def _incidents(count, category, branch, dispatcher, prefix):
    incidents = []
    for n in range(count):
        broken = machine_at(category, branch, SITE, f"{prefix}{n:04d}", status=MachineStatus.ON_RENT)
        rental = factories.RentalFactory(machine=broken, branch=branch)
        incidents.append(factories.incident_through(rental=rental, by=dispatcher, symptom="Won't start"))
    return incidents


def _race(work, count):
    """Run `work(i)` in `count` threads released at the same instant; collect results or errors."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # the result of the race, inspected below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "A dispatcher's transaction hung for 60 s"
    return results


def test_when_dispatchers_race_for_the_last_unit_exactly_one_wins(mini, milano, monza, dispatcher):
    for round_ in range(15):
        last_unit = machine_at(mini, monza, MONZA, f"PR9{round_:06d}")
        incidents = _incidents(4, mini, milano, dispatcher, prefix=f"R{round_:02d}-")

        results = _race(
            lambda i, incidents=incidents, machine=last_unit: services.replacement_reserve(
                incident=incidents[i], machine=machine, by=dispatcher
            ),
            4,
        )

        winners = [r for r in results if isinstance(r, Incident)]
        losers = [r for r in results if isinstance(r, MachineUnavailable)]
        assert len(winners) == 1, results
        assert len(losers) == 3, results
        assert Incident.objects.filter(replacement_machine=last_unit).count() == 1
        assert "was just reserved by another dispatcher" in losers[0].message
        last_unit.refresh_from_db()
        assert last_unit.status == MachineStatus.RESERVED
        last_unit.status = MachineStatus.RETIRED  # out of the next round's way
        last_unit.save()


def test_racing_dispatchers_who_ask_for_the_next_best_all_get_distinct_machines(
    mini, milano, monza, dispatcher
):
    pool = [machine_at(mini, monza, (MONZA[0] + n / 2000, MONZA[1]), f"PR8{n:06d}") for n in range(8)]
    incidents = _incidents(8, mini, milano, dispatcher, prefix="NB-")

    results = _race(
        lambda i: services.replacement_reserve(
            incident=incidents[i], machine=pool[0], take_next_if_taken=True, by=dispatcher
        ),
        8,
    )

    assert all(isinstance(r, Incident) for r in results), results
    reserved = Counter(r.replacement_machine_id for r in results)
    assert len(reserved) == 8 and set(reserved.values()) == {1}
    assert Incident.objects.filter(status=IncidentStatus.REPLACEMENT_RESERVED).count() == 8
