"""The swap as an exchange on the contract, the downtime credit, and the cause the technician
classifies: what the dispatcher and the customer's record show."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import DowntimeTerms, RentalLine
from fleet.models import Machine, MachineStatus, Rental
from recovery import services
from recovery.errors import InvalidRequest
from recovery.models import Channel, DowntimeCreditStatus, EventKind, Outcome
from tests.factories import MONZA, machine_at
from tests.integrations.helpers import swap
from workshop.models import BillingType, WorkOrder, WorkOrderSeverity, WorkOrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def replacement(mini, monza):
    return machine_at(mini, monza, MONZA, "PR0000002", hour_meter=Decimal("310.5"))


@pytest.fixture
def t0():
    return timezone.now() - timedelta(hours=3)


def repaired(*, rental, technician, by, t0, recover_after: int):
    """A repair visit on site: the technician arrives after 30 minutes, fixes it `recover_after` in."""
    incident = services.incident_log(
        rental=rental, reported_by=by, channel=Channel.PHONE, symptom="Dead", at=t0
    )
    services.dispatch_start(incident=incident, by=by, technician=technician, repair_only=True, at=t0)
    services.dispatch_arrive(incident=incident, by=by, at=t0 + timedelta(minutes=30))
    return services.incident_recover(
        incident=incident, outcome=Outcome.REPAIRED_ON_SITE, by=by, at=t0 + timedelta(minutes=recover_after)
    )


def rate(rental, amount: str, period: str = "day") -> None:
    RentalLine.objects.filter(rental=rental).update(rate_eur=Decimal(amount), rate_period=period)


def test_a_swap_closes_the_broken_units_line_and_opens_the_replacements_on_the_same_rate(
    rental, dispatcher, technician, replacement, t0
):
    Machine.objects.filter(pk=rental.machine_id).update(hour_meter=Decimal("1204.0"))
    rate(rental, "240.00")

    incident = swap(
        rental=rental, dispatcher=dispatcher, technician=technician, replacement=replacement, t0=t0
    )

    closed, opened = RentalLine.objects.filter(rental=rental).order_by("on_hire_at", "id")
    assert (closed.machine.fleet_number, closed.off_hire_at, closed.hour_meter_in) == (
        "PR0000100",
        incident.recovered_at,
        Decimal("1204.0"),
    )
    assert (opened.machine.fleet_number, opened.on_hire_at, opened.hour_meter_out, opened.off_hire_at) == (
        "PR0000002",
        incident.recovered_at,
        Decimal("310.5"),
        None,
    )
    assert (opened.rate_eur, opened.rate_period, opened.exchange_reason, opened.replaces) == (
        Decimal("240.00"),
        "day",
        "breakdown",
        closed,
    )
    assert Rental.objects.get(pk=rental.pk).machine == replacement  # the current machine, as before


def test_hour_meters_given_at_the_swap_are_the_ones_on_the_lines(
    rental, dispatcher, technician, replacement, t0
):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead", at=t0
    )
    services.dispatch_start(
        incident=incident, machine=replacement, technician=technician, by=dispatcher, at=t0
    )
    services.dispatch_arrive(incident=incident, by=dispatcher, at=t0 + timedelta(minutes=30))
    services.incident_recover(
        incident=incident,
        outcome=Outcome.SWAPPED,
        by=dispatcher,
        at=t0 + timedelta(minutes=40),
        hour_meter_in=Decimal("1300.2"),
        hour_meter_out=Decimal("311.0"),
    )

    closed, opened = RentalLine.objects.filter(rental=rental).order_by("on_hire_at", "id")
    assert (closed.hour_meter_in, opened.hour_meter_out) == (Decimal("1300.2"), Decimal("311.0"))


def test_a_repair_on_site_keeps_the_line(rental, dispatcher, technician, t0):
    repaired(rental=rental, technician=technician, by=dispatcher, t0=t0, recover_after=60)

    line = RentalLine.objects.get(rental=rental)
    assert (line.machine_id, line.off_hire_at) == (rental.machine_id, None)
    assert not WorkOrder.objects.exists()


def test_the_swap_opens_a_work_order_at_the_broken_units_branch(
    rental, dispatcher, technician, replacement, t0
):
    incident = swap(
        rental=rental,
        dispatcher=dispatcher,
        technician=technician,
        replacement=replacement,
        t0=t0,
        symptom="Track tensioner leaking",
    )

    order = WorkOrder.objects.get()
    assert (
        order.machine_id,
        order.branch,
        order.status,
        order.severity,
        order.billing_type,
        order.fault,
    ) == (
        incident.broken_machine_id,
        rental.machine.home_branch,
        WorkOrderStatus.OPEN,
        WorkOrderSeverity.HARD_DOWN,
        BillingType.INTERNAL,
        "Track tensioner leaking",
    )
    assert Machine.objects.get(pk=incident.broken_machine_id).status == MachineStatus.IN_REPAIR


def test_the_credit_is_the_hire_from_the_report_to_running_again_pro_rata(
    rental, dispatcher, technician, replacement, t0, dispatcher_api
):
    rate(rental, "840.00", "week")  # 5 an hour

    incident = swap(
        rental=rental, dispatcher=dispatcher, technician=technician, replacement=replacement, t0=t0
    )

    credit = incident.downtime_credit
    assert (credit.status, credit.hours, credit.amount_eur, credit.terms_source) == (
        DowntimeCreditStatus.CREDITED,
        Decimal("1.33"),
        Decimal("6.65"),
        "default",
    )
    shown = dispatcher_api.get(f"/api/v1/incidents/{incident.pk}/").json()["downtime_credit"]
    assert (shown["status"], shown["hours"], shown["amount_eur"]) == ("credited", "1.33", "6.65")
    record = dispatcher_api.get(f"/api/v1/customers/{rental.customer_id}/recovery-record/").json()
    assert record["downtime_credits"] == {"credited": 1, "hours": "1.33", "amount_eur": "6.65", "removed": 0}


def test_a_breakdown_reported_after_the_window_is_not_credited(
    rental, dispatcher, technician, replacement, t0
):
    DowntimeTerms.objects.create(customer=rental.customer, reporting_window_hours=2)
    incident = services.incident_log(
        rental=rental,
        reported_by=dispatcher,
        channel=Channel.PHONE,
        symptom="Dead",
        at=t0,
        down_since=t0 - timedelta(hours=5),
    )
    services.dispatch_start(
        incident=incident, machine=replacement, technician=technician, by=dispatcher, at=t0
    )
    services.dispatch_arrive(incident=incident, by=dispatcher, at=t0 + timedelta(minutes=30))
    incident = services.incident_recover(
        incident=incident, outcome=Outcome.SWAPPED, by=dispatcher, at=t0 + timedelta(minutes=40)
    )

    credit = incident.downtime_credit
    assert (credit.status, credit.hours, credit.terms_source) == (
        DowntimeCreditStatus.NOT_ELIGIBLE,
        0,
        "customer",
    )
    assert credit.explanation == "Reported more than 2 h after the machine stopped."


def test_a_rentals_own_terms_override_the_customers(rental, dispatcher, technician, t0):
    DowntimeTerms.objects.create(customer=rental.customer, suspends_hire=False)
    DowntimeTerms.objects.create(rental=rental, suspends_hire=True, reporting_window_hours=4)
    incident = repaired(rental=rental, technician=technician, by=dispatcher, t0=t0, recover_after=90)

    assert (
        incident.downtime_credit.status,
        incident.downtime_credit.hours,
        incident.downtime_credit.terms_source,
    ) == (
        DowntimeCreditStatus.CREDITED,
        Decimal("1.50"),
        "rental",
    )


def test_customer_damage_removes_the_credit_names_its_author_and_bills_the_customer(
    rental, dispatcher, technician, replacement, t0, dispatcher_api
):
    rate(rental, "240.00")
    incident = swap(
        rental=rental, dispatcher=dispatcher, technician=technician, replacement=replacement, t0=t0
    )

    services.incident_cause_classify(
        incident=incident,
        cause="customer_damage",
        reason="Bucket cylinder bent: machine used to lift a pallet",
        by=technician.user,
        channel=Channel.TECHNICIAN,
    )

    credit = type(incident.downtime_credit).objects.get(incident=incident)
    assert (credit.status, credit.removed_by, credit.removed_reason) == (
        DowntimeCreditStatus.REMOVED,
        technician.user,
        "Bucket cylinder bent: machine used to lift a pallet",
    )
    assert WorkOrder.objects.get().billing_type == BillingType.CUSTOMER_DAMAGE
    logged = incident.timeline.filter(
        kind__in=[EventKind.CAUSE_CLASSIFIED, EventKind.DOWNTIME_CREDIT]
    ).order_by("id")
    assert [(event.kind, event.actor) for event in logged] == [
        (EventKind.DOWNTIME_CREDIT, None),
        (EventKind.CAUSE_CLASSIFIED, technician.user),
        (EventKind.DOWNTIME_CREDIT, technician.user),
    ]
    record = dispatcher_api.get(f"/api/v1/customers/{rental.customer_id}/recovery-record/").json()
    assert record["downtime_credits"] == {"credited": 0, "hours": "0.00", "amount_eur": "0.00", "removed": 1}


def test_customer_damage_found_before_the_swap_makes_it_a_damage_exchange_with_no_credit(
    rental, dispatcher, technician, replacement, t0
):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead", at=t0
    )
    services.incident_cause_classify(
        incident=incident, cause="customer_damage", reason="Sand in the fuel tank", by=technician.user
    )
    services.dispatch_start(
        incident=incident, machine=replacement, technician=technician, by=dispatcher, at=t0
    )
    services.dispatch_arrive(incident=incident, by=dispatcher, at=t0 + timedelta(minutes=30))
    incident = services.incident_recover(
        incident=incident, outcome=Outcome.SWAPPED, by=dispatcher, at=t0 + timedelta(minutes=40)
    )

    assert (
        RentalLine.objects.get(rental=rental, off_hire_at__isnull=True).exchange_reason == "customer_damage"
    )
    assert WorkOrder.objects.get().billing_type == BillingType.CUSTOMER_DAMAGE
    assert incident.downtime_credit.status == DowntimeCreditStatus.NOT_ELIGIBLE


def test_customer_damage_needs_a_reason(rental, dispatcher, technician):
    incident = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Dead"
    )

    with pytest.raises(InvalidRequest, match="Say what the customer damaged"):
        services.incident_cause_classify(
            incident=incident, cause="customer_damage", reason=" ", by=technician.user
        )


def test_a_technician_classifies_the_cause_from_the_app(rental, dispatcher, technician, replacement, t0):
    from tests.conftest import api_client_for

    incident = swap(
        rental=rental, dispatcher=dispatcher, technician=technician, replacement=replacement, t0=t0
    )
    phone = api_client_for(technician.user)

    answer = phone.post(
        f"/api/v1/technician/jobs/{incident.pk}/cause/",
        {
            "cause": "customer_damage",
            "reason": "Hose cut by the customer's grab",
            "at": timezone.now().isoformat(),
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="cause-1",
    )

    assert answer.status_code == 200, answer.json()
    assert (
        type(incident.downtime_credit).objects.get(incident=incident).status == DowntimeCreditStatus.REMOVED
    )


def test_the_migration_gives_every_existing_rental_one_open_line(rental):
    from importlib import import_module

    from django.apps import apps

    RentalLine.objects.all().delete()
    import_module("contracts.migrations.0002_lines_for_existing_rentals").open_lines(apps, None)

    line = RentalLine.objects.get()
    assert (line.rental, line.machine_id, line.on_hire_at, line.off_hire_at) == (
        rental,
        rental.machine_id,
        rental.starts_at,
        None,
    )
