"""The database itself refuses impossible fleet data, whatever code path writes it."""

import pytest
from django.db import IntegrityError, transaction

from tests import factories

pytestmark = pytest.mark.django_db


def _refused(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_machine_coordinates_must_be_in_range_and_paired():
    assert _refused(lambda: factories.MachineFactory(lat=95.0, lon=9.0))
    assert _refused(lambda: factories.MachineFactory(lat=45.0, lon=None))
    assert not _refused(lambda: factories.MachineFactory(lat=None, lon=None))


def test_fleet_numbers_are_unique():
    factories.MachineFactory(fleet_number="PR0000001")
    assert _refused(lambda: factories.MachineFactory(fleet_number="PR0000001"))


def test_a_category_cannot_substitute_itself():
    mini = factories.CategoryFactory(code="mini")
    assert _refused(lambda: factories.SubstituteFactory(category=mini, substitute=mini))


def test_substitute_preferences_are_unique_per_category():
    mini = factories.CategoryFactory(code="mini")
    factories.SubstituteFactory(category=mini, substitute=factories.CategoryFactory(code="a"), preference=1)
    assert _refused(
        lambda: factories.SubstituteFactory(
            category=mini, substitute=factories.CategoryFactory(code="b"), preference=1
        )
    )


def test_branch_road_speed_must_be_plausible():
    assert _refused(lambda: factories.BranchFactory(name="Nowhere", average_road_speed_kmh=0))


def test_rental_sla_is_at_least_an_hour():
    assert _refused(lambda: factories.RentalFactory(recovery_sla_hours=0))
