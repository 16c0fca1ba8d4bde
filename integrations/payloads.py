"""What each webhook event says, as the rental system reads it: its own references where it gave
them (imports), ours beside them, and nothing about the customer's person beyond the company."""

from typing import Any

from contracts.models import RentalLine
from fleet.models import Customer, Machine, Rental
from integrations.models import ExternalReference
from recovery.models import DowntimeCredit, Incident
from workshop.models import WorkOrder


def _reference(*, customer: Customer | None = None, rental: Rental | None = None) -> str | None:
    found = (
        ExternalReference.objects.filter(customer=customer)
        if customer
        else ExternalReference.objects.filter(rental=rental)
    )
    return found.values_list("reference", flat=True).first()


def machine(unit: Machine | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {
        "id": unit.pk,
        "fleet_number": unit.fleet_number,
        "serial_number": unit.serial_number,
        "category": unit.category.code,
    }


def rental(contract: Rental) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "external_reference": _reference(rental=contract),
        "customer": {
            "id": contract.customer_id,
            "external_reference": _reference(customer=contract.customer),
            "company": contract.customer.company,
        },
        "branch": contract.branch.name,
    }


def line(item: RentalLine) -> dict[str, Any]:
    return {
        "id": item.pk,
        "machine": machine(item.machine),
        "on_hire_at": item.on_hire_at,
        "off_hire_at": item.off_hire_at,
        "hour_meter_out": item.hour_meter_out,
        "hour_meter_in": item.hour_meter_in,
        "rate_eur": item.rate_eur,
        "rate_period": item.rate_period,
        "exchange_reason": item.exchange_reason or None,
        "external_line": item.external_line or None,
    }


def incident(case: Incident) -> dict[str, Any]:
    return {
        "id": case.pk,
        "status": case.status,
        "severity": case.severity,
        "symptom": case.symptom,
        "reported_at": case.reported_at,
        "down_since": case.down_since,
        "sla_due_at": case.sla_due_at,
        "broken_machine": machine(case.broken_machine),
    }


def incident_opened(case: Incident) -> dict[str, Any]:
    return {"incident": incident(case), "rental": rental(case.rental)}


def replacement_dispatched(case: Incident) -> dict[str, Any]:
    return {
        "incident": incident(case),
        "rental": rental(case.rental),
        "replacement_machine": machine(case.replacement_machine),
        "dispatched_at": case.dispatched_at,
        "promised_arrival_at": case.first_promised_eta,
    }


def rental_exchanged(case: Incident, *, closed: RentalLine, opened: RentalLine) -> dict[str, Any]:
    return {
        "incident_id": case.pk,
        "rental": rental(case.rental),
        "exchange_reason": opened.exchange_reason,
        "exchanged_at": opened.on_hire_at,
        "closed_line": line(closed),
        "opened_line": line(opened),
    }


def downtime_credit(case: Incident, credit: DowntimeCredit) -> dict[str, Any]:
    return {
        "incident_id": case.pk,
        "rental": rental(case.rental),
        "status": credit.status,
        "hours": credit.hours,
        "amount_eur": credit.amount_eur,
        "rate_eur": credit.rate_eur,
        "rate_period": credit.rate_period or None,
        "suspended_from": credit.suspended_from,
        "suspended_until": credit.suspended_until,
        "explanation": credit.explanation,
        "removed_reason": credit.removed_reason or None,
    }


def work_order(order: WorkOrder) -> dict[str, Any]:
    return {
        "work_order": {
            "id": order.pk,
            "number": f"WO-{order.pk}",
            "status": order.status,
            "severity": order.severity,
            "billing_type": order.billing_type,
            "fault": order.fault,
            "branch": order.branch.name,
            "hour_meter": order.hour_meter,
            "opened_at": order.opened_at,
            "closed_at": order.closed_at,
            "resolution": order.resolution or None,
            "incident_id": order.incident_number,
        },
        "machine": machine(order.machine),
        "rental": rental(order.rental) if order.rental is not None else None,
    }


def survey_detractor(case: Incident) -> dict[str, Any]:
    response = case.survey_response
    return {
        "incident_id": case.pk,
        "rental": rental(case.rental),
        "score": response.score,
        "answered_at": response.answered_at,
    }
