"""Polling an ISO 15143-3 provider: the fleet snapshot page by page (JSON and XML), machines
matched by PIN or serial number, fault codes read incrementally, 429 Retry-After honoured."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fleet.models import MachineStatus
from telematics import services
from telematics.models import FaultSeriesCursor, MachineEvent, MachineState, Provider
from tests import factories
from tests.fakes.iso15143_server import FakeEquipment, FakeFault
from tests.telematics.helpers import drain

pytestmark = pytest.mark.django_db


def _now() -> datetime:
    return timezone.now().astimezone(UTC).replace(microsecond=0)


@pytest.fixture
def fleet(mini, milano, fake_aemp):
    """Three of our machines among five the provider tracks: two by PIN, one by serial number."""
    at = _now() - timedelta(minutes=20)
    ours = [
        factories.MachineFactory(
            fleet_number="PR0000401", pin="KUB0KX019P0000001", category=mini, home_branch=milano
        ),
        factories.MachineFactory(
            fleet_number="PR0000402", pin="KUB0KX019P0000002", category=mini, home_branch=milano
        ),
        factories.MachineFactory(
            fleet_number="PR0000403", serial_number="SN-403", category=mini, home_branch=milano
        ),
    ]
    fake_aemp.state.page_size = 2
    fake_aemp.state.equipment = [
        FakeEquipment("KUB0KX019P0000001", "SN-401", "EQ-401", 45.50, 9.10, 1200.4, True, at),
        FakeEquipment("OTHER000000000001", "SN-X1", "EQ-X1", 41.90, 12.50, 10.0, False, at),
        FakeEquipment("KUB0KX019P0000002", "SN-402", "EQ-402", 45.60, 9.20, 800.0, False, at),
        FakeEquipment("", "SN-403", "EQ-403", 45.70, 9.30, 55.5, True, at),
        FakeEquipment("OTHER000000000002", "SN-X2", "EQ-X2", 41.80, 12.40, 20.0, False, at),
    ]
    return ours


@pytest.mark.parametrize("json", [True, False], ids=["json", "xml"])
def test_the_fleet_snapshot_is_read_page_by_page_and_matched_by_pin_or_serial(
    aemp_provider, fake_aemp, fleet, json
):
    fake_aemp.state.json = json

    result = services.provider_poll(provider=aemp_provider)
    drain()

    assert [p for p in fake_aemp.state.requests if "FaultCodes" not in p] == [
        "/Fleet/1",
        "/Fleet/2",
        "/Fleet/3",
    ]
    assert (result.machines, sorted(result.unknown)) == (5, ["OTHER000000000001", "OTHER000000000002"])
    states = {s.machine.fleet_number: s for s in MachineState.objects.select_related("machine")}
    assert set(states) == {"PR0000401", "PR0000402", "PR0000403"}
    assert (states["PR0000401"].lat, states["PR0000401"].hour_meter) == (45.50, Decimal("1200.4"))
    assert states["PR0000403"].engine_running is True
    aemp_provider.refresh_from_db()
    assert aemp_provider.unknown_reports == 2
    assert aemp_provider.last_polled_at is not None


def test_an_available_machine_in_the_snapshot_moves_for_the_replacement_search(aemp_provider, fleet):
    machine = fleet[0]
    machine.position_updated_at = timezone.now() - timedelta(days=1)
    machine.save()

    services.provider_poll(provider=aemp_provider)
    drain()

    machine.refresh_from_db()
    assert (machine.status, machine.lat, machine.lon) == (MachineStatus.AVAILABLE, 45.50, 9.10)


def test_fault_codes_are_read_from_the_last_point_seen(aemp_provider, fake_aemp, fleet):
    first_at = _now() - timedelta(minutes=30)
    fake_aemp.state.faults["EQ-401"] = [
        FakeFault(first_at, "SPN 110 FMI 0", "Red Stop Lamp", "Engine coolant temperature high")
    ]

    services.provider_poll(provider=aemp_provider)
    drain()

    fault = MachineEvent.objects.get(machine=fleet[0], kind="fault:110:0")
    assert (fault.fault_severity, fault.fault_description, fault.occurred_at) == (
        "stop",
        "Engine coolant temperature high",
        first_at,
    )
    assert FaultSeriesCursor.objects.get(provider=aemp_provider, machine=fleet[0]).last_point_at == first_at

    # Next poll: only what came after the last point, and the new fault is stored.
    second_at = first_at + timedelta(minutes=10)
    fake_aemp.state.faults["EQ-401"].append(FakeFault(second_at, "100-1", "amber", "Engine oil pressure low"))
    fake_aemp.state.requests.clear()
    Provider.objects.filter(pk=aemp_provider.pk).update(next_poll_at=None)

    services.provider_poll(provider=aemp_provider)
    drain()

    asked = [p for p in fake_aemp.state.requests if p.startswith("/Fleet/Equipment/EQ-401/")]
    start = (first_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert asked and asked[0].split("/")[5] == start
    assert set(
        MachineEvent.objects.filter(machine=fleet[0]).exclude(kind="state").values_list("kind", flat=True)
    ) == {
        "fault:110:0",
        "fault:100:1",
    }


def test_a_429_waits_for_retry_after_before_the_next_poll(aemp_provider, fake_aemp, fleet):
    fake_aemp.state.throttle["/Fleet/1"] = 120
    now = timezone.now()

    result = services.provider_poll(provider=aemp_provider, now=now)

    assert result.retry_after == 120
    aemp_provider.refresh_from_db()
    assert aemp_provider.next_poll_at == now + timedelta(seconds=120)
    assert "429" in aemp_provider.last_error
    assert aemp_provider.pk not in services.providers_due(now=now + timedelta(seconds=60))
    assert aemp_provider.pk in services.providers_due(now=now + timedelta(seconds=121))
    assert not MachineState.objects.exists()


def test_a_provider_is_polled_once_per_interval_even_by_two_workers(aemp_provider):
    now = timezone.now()
    assert services.provider_poll_claim(provider_id=aemp_provider.pk, now=now) is not None
    assert services.provider_poll_claim(provider_id=aemp_provider.pk, now=now) is None
    assert aemp_provider.pk not in services.providers_due(now=now + timedelta(seconds=899))
    assert (
        services.provider_poll_claim(provider_id=aemp_provider.pk, now=now + timedelta(seconds=900))
        is not None
    )


def test_a_wrong_key_is_recorded_on_the_provider(aemp_provider):
    Provider.objects.filter(pk=aemp_provider.pk).update(api_key="wrong")
    aemp_provider.refresh_from_db()

    with pytest.raises(services.ProviderError):
        services.provider_poll(provider=aemp_provider)

    aemp_provider.refresh_from_db()
    assert "401" in aemp_provider.last_error
