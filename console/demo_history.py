"""Six months of a busy desk for the demo, made by running the real recovery services on a driven
clock: breakdowns logged, replacements dispatched by the real ranking, crews late and on time, ETAs
revised, goodwill granted and approved, customers answering the survey, detractors called back.
Then a live morning: incidents open in every state, crews on shift where they are.

Deterministic for a given seed and start. Lives in the console app because it drives every layer
below it (fleet, recovery, notifications); `manage.py seed_history` runs it after `seed_demo`."""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import cast
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from fleet.models import Machine, Rental, RentalStatus, Technician
from notifications.models import Message, MessageStatus
from recovery import selectors, services
from recovery.models import OPEN_STATUSES, Channel, FollowUp, GoodwillStatus, Incident, Outcome, Severity
from workshop import services as workshop_services
from workshop.models import WorkOrder, WorkOrderStatus

SYMPTOMS = [
    "Tubo idraulico rotto, perde olio",
    "Il motore non parte",
    "Il braccio non si alza",
    "Cingolo uscito dalla sede",
    "Allarme rosso sul cruscotto, si spegne da sola",
    "Batteria a terra, non si avvia",
    "Perdita di gasolio dal serbatoio",
    "Hydraulic hose burst",
    "Engine overheats after ten minutes",
    "Platform will not lower",
]
LATE_REASONS = [
    "Coda sulla A1",
    "Incidente in tangenziale",
    "Carico rallentato in deposito",
    "Traffic on the ring road",
]
GOODWILL_REASONS = [
    "Mezza giornata di cantiere ferma",
    "Gru e squadra ferme",
    "Two crews idle",
    "Ritardo sulla promessa",
]


@dataclass
class HistoryReport:
    incidents: int = 0
    recovered: int = 0
    cancelled: int = 0
    open: int = 0
    skipped: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


class DrivenClock:
    """`timezone.now()` answers the simulated time, so every row a service writes (timeline,
    messages, metrics) carries the moment it happened in the story, not the moment it was seeded."""

    def __init__(self, start: datetime):
        self.now = start

    def at(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@contextmanager
def _driven(clock: DrivenClock) -> Iterator[None]:
    with mock.patch.object(timezone, "now", lambda: clock.now):
        yield


def _business_time(rng: random.Random, day: datetime) -> datetime:
    """Breakdowns happen on working days, mostly in the morning."""
    hour = rng.choice([7, 8, 8, 9, 9, 10, 10, 11, 12, 14, 15, 16, 17])
    return day.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)


def _breakdown_times(rng: random.Random, *, count: int, start: datetime, end: datetime) -> list[datetime]:
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    working = [d for d in days if d.weekday() < 5] or days
    return sorted(_business_time(rng, rng.choice(working)) for _ in range(count))


def _score(rng: random.Random, incident: Incident) -> int:
    """Customers forgive a quick recovery and remember a late one."""
    hours = incident.time_to_recovery.total_seconds() / 3600 if incident.time_to_recovery else 6
    base = 11 if incident.sla_met and incident.promise_kept else 9 if incident.sla_met else 6
    return max(0, min(10, round(rng.gauss(base - hours / 4, 1.6))))


def _one_incident(rng, clock, *, rental, at, dispatcher, manager, decide_before: datetime) -> Incident:
    incident = services.incident_log(
        rental=rental,
        reported_by=dispatcher,
        channel=rng.choice([Channel.PHONE, Channel.PHONE, Channel.PHONE, Channel.API]),
        symptom=rng.choice(SYMPTOMS),
        severity=Severity.MACHINE_DOWN if rng.random() < 0.8 else Severity.DEGRADED,
        at=clock.at(at),
    )
    if rng.random() < 0.04:
        return services.incident_cancel(
            incident=incident,
            by=dispatcher,
            reason="Falso allarme: il cliente ha risolto da solo",
            at=clock.at(at + timedelta(minutes=rng.randint(5, 30))),
        )
    decided = clock.at(at + timedelta(minutes=rng.randint(4, 45)))
    # About half the calls end with a replacement (the real ranking's best), the rest with a repair visit.
    options = (
        selectors.incident_replacement_suggestions(incident=incident, limit=1).suggestions
        if rng.random() < 0.45
        else []
    )
    swap = bool(options)
    machine = None
    if swap:
        machine = Machine.objects.select_related("home_branch", "category").get(pk=options[0].machine_id)
    incident = services.dispatch_start(
        incident=incident,
        by=dispatcher,
        machine=machine,
        repair_only=not swap,
        channel=Channel.CONSOLE,
        at=decided,
    )
    # dispatch_start always names a crew and promises an arrival.
    promised = cast(datetime, incident.current_eta)
    crew = cast(Technician, incident.technician)
    travel = promised - decided
    # Most crews arrive within a few minutes of the promise; some are late, a few much later.
    actual = decided + travel * rng.choice([0.85, 0.95, 1.0, 1.0, 1.05, 1.1, 1.3, 1.6, 2.0])
    services.dispatch_depart(
        incident=incident,
        by=crew.user,
        at=clock.at(decided + timedelta(minutes=rng.randint(5, 20))),
    )
    if actual > promised + timedelta(minutes=15):
        services.eta_revise(
            incident=incident,
            eta=actual,
            reason=rng.choice(LATE_REASONS),
            by=dispatcher,
            channel=Channel.CONSOLE,
            at=clock.at(promised - timedelta(minutes=10)),
        )
    services.dispatch_arrive(incident=incident, by=crew.user, at=clock.at(actual))
    recovered = actual + timedelta(minutes=rng.randint(20, 40) if swap else rng.randint(30, 240))
    incident = services.incident_recover(
        incident=incident,
        outcome=Outcome.SWAPPED if swap else Outcome.REPAIRED_ON_SITE,
        by=crew.user,
        channel=Channel.TECHNICIAN,
        at=clock.at(recovered),
    )
    services.incident_close(incident=incident, by=dispatcher, at=clock.at(recovered + timedelta(hours=2)))
    if incident.sla_met is False and rng.random() < 0.5:
        credit = services.goodwill_grant(
            incident=incident,
            amount_eur=Decimal(rng.choice([150, 250, 400, 800, 1500, 2500, 3200])),
            reason=rng.choice(GOODWILL_REASONS),
            by=dispatcher,
            channel=Channel.CONSOLE,
            at=clock.at(recovered + timedelta(hours=3)),
        )
        # Credits of the last days still wait for a manager: the queue has something in it.
        if credit.status == GoodwillStatus.AWAITING_APPROVAL and recovered < decide_before:
            services.goodwill_decide(
                credit=credit,
                approve=rng.random() < 0.8,
                by=manager,
                at=clock.at(recovered + timedelta(hours=20)),
            )
    if rng.random() < 0.65:
        services.survey_response_record(
            incident=incident,
            score=_score(rng, incident),
            at=clock.at(recovered + timedelta(hours=1, minutes=10)),
        )
    return incident


def _follow_ups_worked(rng, clock, *, manager, until: datetime) -> None:
    """Managers call most detractors back within two days; the last days' calls are still to make."""
    for follow_up in FollowUp.objects.select_related("incident").order_by("opened_at"):
        if follow_up.opened_at > until - timedelta(days=3) or rng.random() < 0.05:
            continue
        services.follow_up_update(
            follow_up=follow_up,
            by=manager,
            assigned_to=manager,
            note="Chiamato il cliente: scuse e sconto sul prossimo noleggio",
            close=True,
            at=clock.at(follow_up.opened_at + timedelta(hours=rng.randint(3, 48))),
        )


OPEN_PLAN = [
    # (status to reach, minutes since the call): a live morning on the board.
    ("reported", [5, 22, 170]),
    ("replacement_reserved", [14, 35, 95]),
    ("dispatched", [25, 60, 200]),
    ("en_route", [40, 75, 230]),
    ("on_site", [90, 130, 260]),
]


def _open_incidents(rng, clock, *, rentals, dispatcher, now) -> int:
    opened = 0
    for status, ages in OPEN_PLAN:
        for age in ages:
            at = now - timedelta(minutes=age)
            try:
                incident = services.incident_log(
                    rental=rentals.pop(),
                    reported_by=dispatcher,
                    channel=Channel.PHONE,
                    symptom=rng.choice(SYMPTOMS),
                    at=clock.at(at),
                )
            except DomainError:
                continue
            opened += 1
            try:
                _advance(incident, status, at=at, age=age, clock=clock, dispatcher=dispatcher)
            except DomainError:
                continue  # stays where it got to: still an open incident on the board
    return opened


def _advance(incident: Incident, status: str, *, at: datetime, age: int, clock, dispatcher) -> None:
    """Take a freshly logged incident to `status`, with a replacement when one is free nearby and a
    repair visit otherwise."""
    if status == "reported":
        return
    step = at + timedelta(minutes=min(age // 3, 20))
    options = selectors.incident_replacement_suggestions(incident=incident, limit=1).suggestions
    machine = Machine.objects.get(pk=options[0].machine_id) if options else None
    if status == "replacement_reserved":
        if machine is not None:
            services.replacement_reserve(incident=incident, machine=machine, by=dispatcher, at=clock.at(step))
        return
    incident = services.dispatch_start(
        incident=incident, machine=machine, repair_only=machine is None, by=dispatcher, at=clock.at(step)
    )
    if status in ("en_route", "on_site"):
        services.dispatch_depart(
            incident=incident, by=dispatcher, at=clock.at(at + timedelta(minutes=age // 2))
        )
    if status == "on_site":
        services.dispatch_arrive(
            incident=incident, by=dispatcher, at=clock.at(at + timedelta(minutes=age - 10))
        )


@transaction.atomic
def seed_history(
    *, seed: int = 7, incidents: int = 1500, days: int = 180, now: datetime | None = None
) -> HistoryReport:
    """Run `incidents` breakdowns through the services over the last `days`, then open a morning's."""
    rng = random.Random(seed)
    now = now or timezone.now()
    clock = DrivenClock(now - timedelta(days=days))
    User = get_user_model()
    dispatcher = User.objects.get(username="dispatcher")
    manager = User.objects.get(username="manager")
    report = HistoryReport()
    rentals = list(Rental.objects.filter(status=RentalStatus.ACTIVE).order_by("pk"))
    start = timezone.localtime(now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    # Broken units come back from the workshop a few days after the swap, as they do in a real
    # yard: without it every swap would take a machine out of the pool for good.
    repairs_due: list[tuple[datetime, int]] = []
    with _driven(clock):
        for at in _breakdown_times(rng, count=incidents, start=start, end=now - timedelta(days=1)):
            repairs_due = _repairs_finished(repairs_due, until=at)
            rental = rng.choice(rentals)
            try:
                with transaction.atomic():
                    incident = _one_incident(
                        rng,
                        clock,
                        rental=rental,
                        at=at,
                        dispatcher=dispatcher,
                        manager=manager,
                        decide_before=now - timedelta(days=4),
                    )
            except DomainError:
                report.skipped += 1
                continue
            report.incidents += 1
            scheduled = {order_id for _, order_id in repairs_due}
            repairs_due += [
                (order.opened_at + timedelta(hours=rng.randint(20, 120)), order.pk)
                for order in WorkOrder.objects.filter(
                    machine_id=incident.broken_machine_id, status=WorkOrderStatus.OPEN
                ).exclude(pk__in=scheduled)
            ]
            if incident.status == "cancelled":
                report.cancelled += 1
            else:
                report.recovered += 1
        _follow_ups_worked(rng, clock, manager=manager, until=now)
        free = [
            r for r in rentals if not Incident.objects.filter(rental=r, status__in=OPEN_STATUSES).exists()
        ]
        rng.shuffle(free)
        report.open = _open_incidents(rng, clock, rentals=free, dispatcher=dispatcher, now=now)
    # The story's texts went out months ago: they were delivered then, nothing is sent now.
    transaction.get_connection().run_on_commit.clear()
    Message.objects.filter(status=MessageStatus.QUEUED, created_at__lt=now - timedelta(hours=6)).update(
        status=MessageStatus.DELIVERED
    )
    _crews_on_the_road(rng, now=now)
    return report


def _repairs_finished(
    repairs_due: list[tuple[datetime, int]], *, until: datetime
) -> list[tuple[datetime, int]]:
    """Close the work orders whose repair is done by `until`; the ones still in the workshop."""
    for done_at, order_id in sorted(repairs_due):
        if done_at <= until:
            workshop_services.work_order_close(
                work_order=WorkOrder.objects.get(pk=order_id),
                resolution="Repaired and tested in the workshop.",
                by=None,
                at=done_at,
            )
    return [(done_at, order_id) for done_at, order_id in repairs_due if done_at > until]


def _crews_on_the_road(rng: random.Random, *, now: datetime) -> None:
    """Crews on shift report where they are: near their depot, or halfway to the site they drive to."""
    for incident in Incident.objects.filter(status="en_route").select_related("technician", "rental"):
        technician = incident.technician
        if technician is None:
            continue
        Technician.objects.filter(pk=technician.pk).update(
            lat=(technician.home_branch.lat + incident.site_lat) / 2,
            lon=(technician.home_branch.lon + incident.site_lon) / 2,
            position_updated_at=now - timedelta(minutes=rng.randint(1, 4)),
        )
