"""An incident from phone call to closed, with the clock driven by hand and the metrics checked."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fleet.models import Machine, MachineStatus, Rental
from recovery import services
from recovery.errors import IllegalTransition, InvalidRequest, MachineUnavailable, NotPermitted
from recovery.models import (
    Channel,
    CustomerRecoveryRecord,
    EventKind,
    FollowUp,
    GoodwillStatus,
    IncidentStatus,
    Outcome,
)
from routing.providers import StraightLineProvider
from tests import factories
from tests.factories import MILANO, MONZA, SITE, machine_at

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Rome"))


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture
def replacement(mini, monza):
    return machine_at(mini, monza, MONZA, "PR0000002")


def log(rental, dispatcher, at=T0):
    return factories.incident_through(rental=rental, by=dispatcher, reported_at=at)


def test_logging_marks_the_machine_broken_and_starts_the_sla_clock(rental, dispatcher):
    incident = log(rental, dispatcher)

    assert incident.status == IncidentStatus.REPORTED
    assert incident.sla_due_at == T0 + timedelta(hours=4)
    assert (incident.site_lat, incident.site_lon) == SITE
    assert Machine.objects.get(pk=rental.machine_id).status == MachineStatus.BROKEN
    event = incident.timeline.get()
    assert (event.kind, event.actor, event.channel, event.detail) == (
        EventKind.LOGGED,
        dispatcher,
        Channel.PHONE,
        "Hydraulic hose burst",
    )


def test_a_machine_with_an_open_incident_cannot_be_logged_twice(rental, dispatcher):
    first = log(rental, dispatcher)

    with pytest.raises(IllegalTransition, match=f"already has an open incident \\(#{first.pk}\\)"):
        log(rental, dispatcher)


def test_full_recovery_stores_the_metrics_a_manager_reads(rental, dispatcher, technician, replacement):
    incident = log(rental, dispatcher)
    incident = services.dispatch_start(
        incident=incident, machine=replacement, technician=technician, by=dispatcher, at=T0 + minutes(6)
    )
    # The whole journey: Luca drives from Milano to the Monza yard, loads, and tows it to the site;
    # the promise adds the cushion of a branch with no journey history yet (20 %).
    straight = StraightLineProvider()
    travel = (
        straight.leg(MILANO, MONZA).duration + minutes(20) + straight.leg(MONZA, SITE, speed_kmh=60).duration
    )
    promised = T0 + minutes(6) + travel * 1.2
    assert incident.first_promised_eta == promised
    assert incident.expected_eta == T0 + minutes(6) + travel
    assert Machine.objects.get(pk=replacement.pk).status == MachineStatus.RESERVED

    services.dispatch_depart(
        incident=incident, by=technician.user, channel=Channel.TECHNICIAN, at=T0 + minutes(30)
    )
    assert Machine.objects.get(pk=replacement.pk).status == MachineStatus.IN_TRANSIT
    services.dispatch_arrive(incident=incident, by=technician.user, at=promised + minutes(12))
    incident = services.incident_recover(
        incident=incident, outcome=Outcome.SWAPPED, by=technician.user, at=promised + minutes(40)
    )
    incident = services.incident_close(incident=incident, by=dispatcher, at=promised + minutes(60))

    assert incident.status == IncidentStatus.CLOSED
    assert incident.time_to_dispatch == minutes(6)
    assert incident.time_to_arrival == promised + minutes(12) - T0
    assert incident.time_to_recovery == promised + minutes(40) - T0
    assert incident.eta_error == minutes(12)
    assert incident.promise_kept is False  # 12 minutes late, beyond the 10-minute grace
    assert incident.sla_met is True
    assert Machine.objects.get(pk=replacement.pk).status == MachineStatus.ON_RENT
    assert Machine.objects.get(pk=rental.machine_id).status == MachineStatus.IN_REPAIR
    assert Rental.objects.get(pk=rental.pk).machine_id == replacement.pk
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds == [
        "logged",
        "reserved",
        "dispatched",
        "en_route",
        "on_site",
        "recovered",
        "exchanged",
        "downtime_credit",
        "closed",
    ]
    record = CustomerRecoveryRecord.objects.get(customer=rental.customer)
    assert (record.recoveries, record.median_time_to_recovery) == (1, incident.time_to_recovery)
    assert (record.sla_met_pct, record.promises_kept_pct) == (100.0, 0.0)


def test_repair_on_site_sends_a_technician_without_a_machine(rental, dispatcher, technician):
    incident = log(rental, dispatcher)
    incident = services.dispatch_start(
        incident=incident, technician=technician, repair_only=True, by=dispatcher
    )
    services.dispatch_arrive(incident=incident, by=technician.user)
    incident = services.incident_recover(
        incident=incident, outcome=Outcome.REPAIRED_ON_SITE, by=technician.user
    )

    assert incident.replacement_machine is None
    assert Machine.objects.get(pk=rental.machine_id).status == MachineStatus.ON_RENT


def test_illegal_steps_are_refused_with_what_is_allowed(rental, dispatcher):
    incident = log(rental, dispatcher)

    with pytest.raises(
        IllegalTransition,
        match=r"Cannot arrive an incident that is reported; allowed now: reserve, dispatch, cancel\.",
    ):
        services.dispatch_arrive(incident=incident, by=dispatcher)


def test_first_promise_is_kept_when_the_eta_is_revised(rental, dispatcher, technician, replacement):
    incident = log(rental, dispatcher)
    incident = services.dispatch_start(
        incident=incident, machine=replacement, technician=technician, by=dispatcher
    )
    first = incident.first_promised_eta

    incident = services.eta_revise(
        incident=incident, eta=first + minutes(25), reason="A4 closed", by=dispatcher
    )

    assert incident.first_promised_eta == first
    assert incident.current_eta == first + minutes(25)
    assert list(incident.eta_revisions.values_list("reason", flat=True)) == [
        "Promised at dispatch",
        "A4 closed",
    ]


def test_reassign_releases_the_machine_for_other_incidents(rental, dispatcher, technician, replacement):
    incident = log(rental, dispatcher)
    incident = services.dispatch_start(
        incident=incident, machine=replacement, technician=technician, by=dispatcher
    )

    incident = services.incident_reassign(incident=incident, reason="Truck broke down", by=dispatcher)

    assert incident.status == IncidentStatus.REPORTED
    assert incident.replacement_machine is None and incident.technician is None
    assert Machine.objects.get(pk=replacement.pk).status == MachineStatus.AVAILABLE
    assert incident.timeline.last().data == {"released_machine": "PR0000002"}


def test_cancel_releases_the_replacement_and_the_machine_runs_on(rental, dispatcher, replacement):
    incident = log(rental, dispatcher)
    services.replacement_reserve(incident=incident, machine=replacement, by=dispatcher)

    incident = services.incident_cancel(incident=incident, reason="Customer found the fuse", by=dispatcher)

    assert incident.status == IncidentStatus.CANCELLED
    assert Machine.objects.get(pk=replacement.pk).status == MachineStatus.AVAILABLE
    assert Machine.objects.get(pk=rental.machine_id).status == MachineStatus.ON_RENT
    with pytest.raises(IllegalTransition, match="allowed now: nothing"):
        services.incident_cancel(incident=incident, reason="again", by=dispatcher)


def test_a_reserved_machine_cannot_be_reserved_for_another_incident(
    rental, dispatcher, replacement, mini, milano
):
    incident = log(rental, dispatcher)
    services.replacement_reserve(incident=incident, machine=replacement, by=dispatcher)
    other = factories.RentalFactory(
        machine=machine_at(mini, milano, SITE, "PR0000200", status=MachineStatus.ON_RENT), branch=milano
    )
    second = log(other, dispatcher)

    with pytest.raises(MachineUnavailable, match="PR0000002 was just reserved by another dispatcher"):
        services.replacement_reserve(incident=second, machine=replacement, by=dispatcher)


def test_take_next_if_taken_reserves_the_next_best(rental, dispatcher, replacement, mini, milano):
    services.replacement_reserve(incident=log(rental, dispatcher), machine=replacement, by=dispatcher)
    next_best = machine_at(mini, milano, (45.50, 9.15), "PR0000003")
    other = factories.RentalFactory(
        machine=machine_at(mini, milano, SITE, "PR0000200", status=MachineStatus.ON_RENT), branch=milano
    )

    incident = services.replacement_reserve(
        incident=log(other, dispatcher), machine=replacement, take_next_if_taken=True, by=dispatcher
    )

    assert incident.replacement_machine == next_best
    assert incident.timeline.last().detail.endswith("(next best: PR0000002 was taken)")


def test_an_unaccepted_category_cannot_be_reserved(rental, dispatcher, midi, monza):
    wrong = machine_at(midi, monza, MONZA, "PR0000005")

    with pytest.raises(InvalidRequest, match="has not accepted in place of a Mini excavator"):
        services.replacement_reserve(incident=log(rental, dispatcher), machine=wrong, by=dispatcher)


def test_goodwill_within_the_limit_is_granted_at_once_above_it_waits_for_a_manager(
    rental, dispatcher, manager
):
    incident = log(rental, dispatcher)

    small = services.goodwill_grant(
        incident=incident, amount_eur=Decimal("1500"), reason="Half a day lost", by=dispatcher
    )
    big = services.goodwill_grant(
        incident=incident, amount_eur=Decimal("600"), reason="Crane idle", by=dispatcher
    )

    assert small.status == GoodwillStatus.GRANTED
    assert big.status == GoodwillStatus.AWAITING_APPROVAL  # 1,500 + 600 is over the 2,000 limit
    with pytest.raises(NotPermitted):
        services.goodwill_decide(credit=big, approve=True, by=dispatcher)
    big = services.goodwill_decide(credit=big, approve=True, by=manager)
    assert (big.status, big.decided_by) == (GoodwillStatus.APPROVED, manager)
    assert incident.timeline.filter(kind=EventKind.GOODWILL).count() == 3


def test_sla_watch_flags_an_incident_once_when_its_sla_is_about_to_end(rental, dispatcher):
    incident = log(rental, dispatcher)

    assert services.sla_watch(now=T0 + minutes(150)) == 0
    assert services.sla_watch(now=T0 + minutes(185)) == 1
    assert services.sla_watch(now=T0 + minutes(190)) == 0
    incident.refresh_from_db()
    assert incident.sla_at_risk_since == T0 + minutes(185)
    assert incident.timeline.last().detail == "55 minutes of SLA left"


@pytest.mark.parametrize(
    ("score", "category", "follow_up"),
    [(10, "promoter", False), (7, "passive", False), (3, "detractor", True)],
)
def test_survey_answers_are_counted_and_detractors_get_a_follow_up(
    rental, dispatcher, score, category, follow_up
):
    incident = log(rental, dispatcher)

    response = services.survey_response_record(incident=incident, score=score)

    assert response.category == category
    assert FollowUp.objects.filter(incident=incident).exists() is follow_up


def repaired_on_site_after(hours: list[float], *, rental, dispatcher, technician) -> None:
    """One breakdown per figure on the customer's other machines, each repaired that many hours later."""
    for n, after in enumerate(hours):
        machine = machine_at(
            rental.machine.category, rental.branch, SITE, f"PR00009{n}", status=MachineStatus.ON_RENT
        )
        other = factories.RentalFactory(customer=rental.customer, machine=machine, branch=rental.branch)
        incident = log(other, dispatcher, at=T0)
        incident = services.dispatch_start(
            incident=incident, technician=technician, repair_only=True, by=dispatcher, at=T0 + minutes(5)
        )
        services.dispatch_arrive(incident=incident, by=technician.user, at=T0 + minutes(30))
        services.incident_recover(
            incident=incident,
            outcome=Outcome.REPAIRED_ON_SITE,
            by=technician.user,
            at=T0 + timedelta(hours=after),
        )


def test_customer_record_takes_the_median_over_recoveries(rental, dispatcher, technician):
    repaired_on_site_after([1, 3, 6], rental=rental, dispatcher=dispatcher, technician=technician)

    record = CustomerRecoveryRecord.objects.get(customer=rental.customer)
    assert record.recoveries == 3
    assert record.median_time_to_recovery == timedelta(hours=3)
    assert record.sla_met_pct == pytest.approx(200 / 3)


def test_sla_met_is_judged_against_the_deadline_fixed_at_logging_not_the_rentals_sla_today(
    rental, dispatcher, technician
):
    incident = log(rental, dispatcher)  # 4 h SLA: due at 13:00
    incident = services.dispatch_start(
        incident=incident, technician=technician, repair_only=True, by=dispatcher, at=T0 + minutes(5)
    )
    # The contract is renegotiated to a 2 h SLA while the crew is out: this breakdown keeps its 4 h.
    Rental.objects.filter(pk=rental.pk).update(recovery_sla_hours=2)
    services.dispatch_arrive(incident=incident, by=technician.user, at=T0 + minutes(100))
    incident = services.incident_recover(
        incident=incident, outcome=Outcome.REPAIRED_ON_SITE, by=technician.user, at=T0 + timedelta(hours=3)
    )

    assert incident.sla_due_at == T0 + timedelta(hours=4)
    assert incident.sla_met is True
    assert CustomerRecoveryRecord.objects.get(customer=rental.customer).sla_met_pct == 100.0


def test_the_customer_record_and_the_loyalty_page_show_the_same_median(rental, dispatcher, technician):
    from recovery import loyalty

    repaired_on_site_after([1, 2, 3, 10], rental=rental, dispatcher=dispatcher, technician=technician)

    record = CustomerRecoveryRecord.objects.get(customer=rental.customer)
    page = loyalty.recovery_summary()
    # Four recoveries of 1, 2, 3 and 10 hours: the interpolated median is 2 h 30, on both.
    assert record.median_time_to_recovery == page.median_time_to_recovery == timedelta(hours=2, minutes=30)
    assert record.sla_met_pct == page.sla_met_pct == 75.0


def test_every_step_and_status_has_words_for_the_messages_that_name_them():
    from recovery.workflow import ACTION_WORDS, STATUS_WORDS, TRANSITIONS

    assert set(ACTION_WORDS) == set(TRANSITIONS)
    assert set(STATUS_WORDS) == set(IncidentStatus.values)
