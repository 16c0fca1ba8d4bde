"""Writes of the recovery engine, by subject. Every step of an incident runs in one transaction,
checks the one table of legal transitions (recovery.workflow) and writes a timeline event.

- incidents: logging, cancelling, reassigning, the SLA watch, notes and customer texts on the timeline;
  telematics' suspected incidents (suspect, confirm, dismiss)
- dispatch: reserving the replacement, dispatching the crew, the ETA, arrival and recovery
- exchange: the swap on the contract, the work order, the downtime credit, the cause
- aftercare: goodwill, the survey answer, detractor follow-ups, the customer's recovery record
- technician: the technician app's reports (accept, decline, status, photos, location)
- fleet_records: a machine's status and a rental's machine, SLA and status, never mid-incident
- personal_data: erasure and retention of the customer's words on incidents

Callers import from here (`from recovery import services`); the names below are the public ones."""

from recovery.figures import nps_category, recovery_metrics
from recovery.services.aftercare import (
    customer_record_refresh,
    follow_up_update,
    goodwill_decide,
    goodwill_grant,
    survey_response_record,
)
from recovery.services.dispatch import (
    dispatch_arrive,
    dispatch_depart,
    dispatch_start,
    eta_revise,
    incident_close,
    incident_recover,
    replacement_reserve,
)
from recovery.services.exchange import downtime_credit_record, incident_cause_classify
from recovery.services.fleet_records import (
    MACHINE_STATUSES_SET_BY_HAND,
    machine_status_change,
    rental_terms_change,
)
from recovery.services.incidents import (
    customer_message_attach,
    customer_reply_record,
    incident_cancel,
    incident_confirm,
    incident_dismiss,
    incident_flag_for_call,
    incident_log,
    incident_note_add,
    incident_reassign,
    incident_suspect,
    sla_watch,
)
from recovery.services.personal_data import (
    QUOTE_ERASED,
    QUOTE_EXPIRED,
    customer_incidents_erase,
    customer_message_quotes_expire,
)
from recovery.services.technician import (
    JOURNEY,
    STATUS_REPORTS,
    LocationPing,
    LocationReport,
    dispatch_accept,
    dispatch_decline,
    job_photo_add,
    technician_location_report,
    technician_next_steps,
    technician_status_report,
)
from recovery.workflow import ACTION_EVENTS, TRANSITIONS, allowed_actions

__all__ = [
    "ACTION_EVENTS",
    "JOURNEY",
    "MACHINE_STATUSES_SET_BY_HAND",
    "QUOTE_ERASED",
    "QUOTE_EXPIRED",
    "STATUS_REPORTS",
    "TRANSITIONS",
    "LocationPing",
    "LocationReport",
    "allowed_actions",
    "customer_incidents_erase",
    "customer_message_attach",
    "customer_message_quotes_expire",
    "customer_record_refresh",
    "customer_reply_record",
    "dispatch_accept",
    "dispatch_arrive",
    "dispatch_decline",
    "dispatch_depart",
    "dispatch_start",
    "downtime_credit_record",
    "eta_revise",
    "follow_up_update",
    "goodwill_decide",
    "goodwill_grant",
    "incident_cancel",
    "incident_cause_classify",
    "incident_close",
    "incident_confirm",
    "incident_dismiss",
    "incident_flag_for_call",
    "incident_log",
    "incident_note_add",
    "incident_reassign",
    "incident_recover",
    "incident_suspect",
    "job_photo_add",
    "machine_status_change",
    "nps_category",
    "recovery_metrics",
    "rental_terms_change",
    "replacement_reserve",
    "sla_watch",
    "survey_response_record",
    "technician_location_report",
    "technician_next_steps",
    "technician_status_report",
]
