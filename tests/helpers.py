"""Small test helpers shared across the suite."""

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from recovery import services
from recovery.models import Channel, Incident, Outcome


def wait_until(condition: Callable[[], object], timeout: float = 20.0, interval: float = 0.05) -> object:
    """Wait for something another process does (a Celery worker, a webhook); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Condition not met within {timeout} s: {condition}")
        time.sleep(interval)


def recovered_incident(
    *,
    rental,
    technician,
    by,
    reported_at: datetime,
    arrive_after: int,
    recover_after: int,
    score: int | None = None,
) -> Incident:
    """A repair visit from phone call to running again: minutes after the call for each step."""
    incident = services.incident_log(
        rental=rental, reported_by=by, channel=Channel.PHONE, symptom="Engine will not start", at=reported_at
    )
    services.dispatch_start(
        incident=incident,
        by=by,
        technician=technician,
        repair_only=True,
        at=reported_at + timedelta(minutes=5),
    )
    services.dispatch_arrive(incident=incident, by=by, at=reported_at + timedelta(minutes=arrive_after))
    incident = services.incident_recover(
        incident=incident,
        outcome=Outcome.REPAIRED_ON_SITE,
        by=by,
        at=reported_at + timedelta(minutes=recover_after),
    )
    if score is not None:
        services.survey_response_record(
            incident=incident, score=score, at=reported_at + timedelta(minutes=recover_after + 60)
        )
    return incident
