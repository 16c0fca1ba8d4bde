"""Shift on and off from the app, with late taps never undoing newer ones."""

from datetime import timedelta

import pytest

from fleet.models import Technician
from tests.technician.conftest import API, iso

pytestmark = pytest.mark.django_db


def shift(phone, on: bool, at):
    return phone.post(f"{API}/shift/", {"on_shift": on, "at": iso(at)}, format="json")


def test_ending_the_shift_takes_the_technician_off_the_suggestions(luca, lucas_phone, t0):
    response = shift(lucas_phone, False, t0)

    assert response.status_code == 200
    assert (response.json()["on_shift"], response.json()["shift_changed_at"]) == (False, iso(t0))
    assert Technician.objects.get(pk=luca.pk).on_shift is False


def test_a_late_shift_change_does_not_undo_a_newer_one(luca, lucas_phone, t0):
    shift(lucas_phone, True, t0 + timedelta(minutes=30))

    late = shift(lucas_phone, False, t0)

    assert late.status_code == 200
    assert late.json()["on_shift"] is True
    assert lucas_phone.get(f"{API}/me/").json()["shift_changed_at"] == iso(t0 + timedelta(minutes=30))
