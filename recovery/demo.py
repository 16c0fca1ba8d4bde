"""A company's recovery history for benchmarks and demos of scale: two years of past incidents
with their stored figures, survey answers, follow-ups and SMS, and a live board of open incidents.

PostgreSQL only. Incidents and their rentals go in with COPY and the rest is derived in SQL, so
100,000 past incidents take seconds; deterministic for a given seed (PostgreSQL's setseed too)."""

import csv
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from fleet.models import Branch, Customer, Machine, MachineStatus, Rental, RentalStatus, Technician
from recovery.models import Channel, Incident, IncidentStatus, Outcome, Severity

SYMPTOMS = [
    "Hydraulic hose burst, boom won't lift",
    "Engine won't start, battery light on",
    "Track came off on the slope",
    "Platform stuck at 6 m, controls dead",
    "Overheating after ten minutes of work",
    "Generator trips under load",
    "Fuel leak under the cab",
    "Error code on the display, machine in limp mode",
]
# Open incidents on the board, by how far they have got.
OPEN_SHARES = [
    (IncidentStatus.REPORTED, 0.35),
    (IncidentStatus.REPLACEMENT_RESERVED, 0.10),
    (IncidentStatus.DISPATCHED, 0.20),
    (IncidentStatus.EN_ROUTE, 0.20),
    (IncidentStatus.ON_SITE, 0.15),
]
PAST_STEPS: dict[str, int] = {
    IncidentStatus.REPLACEMENT_RESERVED: 1,
    IncidentStatus.DISPATCHED: 2,
    IncidentStatus.EN_ROUTE: 3,
    IncidentStatus.ON_SITE: 4,
}
RENTAL_COLUMNS = [
    "customer_id",
    "machine_id",
    "branch_id",
    "site_address",
    "site_lat",
    "site_lon",
    "starts_at",
    "ends_at",
    "recovery_sla_hours",
    "status",
]
INCIDENT_COLUMNS = [
    "rental_id",
    "broken_machine_id",
    "replacement_machine_id",
    "technician_id",
    "status",
    "reported_via",
    "symptom",
    "severity",
    "site_lat",
    "site_lon",
    "reported_at",
    "sla_due_at",
    "reserved_at",
    "dispatched_at",
    "accepted_at",
    "en_route_at",
    "on_site_at",
    "recovered_at",
    "closed_at",
    "cancelled_at",
    "outcome",
    "first_promised_eta",
    "current_eta",
    "customer_told_eta",
    "time_to_dispatch",
    "time_to_arrival",
    "time_to_recovery",
    "eta_error",
    "promise_kept",
    "sla_met",
    "call_customer_reason",
]
PROMISE_GRACE = timedelta(minutes=10)


@dataclass
class HistoryReport:
    past_incidents: int
    open_incidents: int
    survey_responses: int
    open_follow_ups: int
    sms_messages: int


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([r"\N" if value is None else value for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _interval(value: timedelta | None) -> str | None:
    return None if value is None else f"{value.total_seconds():.0f} seconds"


def _past_incident(rng: random.Random, rental: tuple, technicians: list[int], now: datetime, days: int):
    """One finished incident on `rental`, its figures stored as incident_recover stores them."""
    rental_id, machine_id, sla_hours, site_lat, site_lon, replacement_id = rental
    reported = now - timedelta(minutes=rng.uniform(180, days * 24 * 60))
    if rng.random() < 0.03:
        cancelled = reported + timedelta(minutes=rng.uniform(5, 60))
        return [
            rental_id,
            machine_id,
            None,
            None,
            IncidentStatus.CANCELLED,
            rng.choice([Channel.PHONE, Channel.API, Channel.TECHNICIAN]),
            rng.choice(SYMPTOMS),
            Severity.MACHINE_DOWN,
            site_lat,
            site_lon,
            _iso(reported),
            _iso(reported + timedelta(hours=sla_hours)),
            *([None] * 7),
            _iso(cancelled),
            "",
            *([None] * 9),
            "",
        ]
    swapped = rng.random() < 0.7
    dispatched = reported + timedelta(minutes=rng.lognormvariate(2.6, 0.5))
    promised = dispatched + timedelta(minutes=rng.uniform(30, 150))
    on_site = max(dispatched + timedelta(minutes=10), promised + timedelta(minutes=rng.gauss(0, 20)))
    recovered = on_site + timedelta(minutes=rng.uniform(15, 120) if swapped else rng.uniform(30, 240))
    closed = recovered + timedelta(hours=rng.uniform(1, 30))
    status = IncidentStatus.CLOSED if closed < now else IncidentStatus.RECOVERED
    to_recovery = recovered - reported
    return [
        rental_id,
        machine_id,
        replacement_id if swapped else None,
        rng.choice(technicians),
        status,
        rng.choice([Channel.PHONE, Channel.PHONE, Channel.API, Channel.TECHNICIAN]),
        rng.choice(SYMPTOMS),
        Severity.MACHINE_DOWN if rng.random() < 0.8 else Severity.DEGRADED,
        site_lat,
        site_lon,
        _iso(reported),
        _iso(reported + timedelta(hours=sla_hours)),
        _iso(dispatched - timedelta(minutes=1)),
        _iso(dispatched),
        _iso(dispatched + timedelta(minutes=2)),
        _iso(dispatched + timedelta(minutes=5)),
        _iso(on_site),
        _iso(recovered),
        _iso(closed) if status == IncidentStatus.CLOSED else None,
        None,
        Outcome.SWAPPED if swapped else Outcome.REPAIRED_ON_SITE,
        _iso(promised),
        _iso(promised),
        _iso(promised),
        _interval(dispatched - reported),
        _interval(on_site - reported),
        _interval(to_recovery),
        _interval(on_site - promised),
        "t" if on_site <= promised + PROMISE_GRACE else "f",
        "t" if to_recovery <= timedelta(hours=sla_hours) else "f",
        "",
    ]


def _past_rentals(rng, count: int, customers, branches, machine_ids, now: datetime, days: int) -> None:
    def rows():
        for _ in range(count):
            branch = rng.choice(branches)
            starts = now - timedelta(days=rng.uniform(2, days + 30))
            yield [
                rng.choice(customers),
                rng.choice(machine_ids),
                branch[0],
                f"Cantiere {rng.randint(1, 9999)}, {branch[1]}",
                round(branch[2] + rng.uniform(-0.3, 0.3), 6),
                round(branch[3] + rng.uniform(-0.3, 0.3), 6),
                _iso(starts),
                _iso(min(starts + timedelta(days=rng.uniform(1, 60)), now - timedelta(minutes=1))),
                rng.choice([2, 4, 4, 4, 6, 8]),
                RentalStatus.ENDED,
            ]

    _copy("fleet_rental", RENTAL_COLUMNS, rows())


def _derived_history(*, since_id: int, seed: int, now: datetime) -> None:
    """Survey answers, detractor follow-ups, the SMS ledger and customer records, in SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        # About a third of the customers answer the survey, an hour after recovery.
        cursor.execute(
            """
            INSERT INTO recovery_surveyresponse (incident_id, score, category, answered_at)
            SELECT id, score,
                   CASE WHEN score >= 9 THEN 'promoter' WHEN score >= 7 THEN 'passive' ELSE 'detractor' END,
                   recovered_at + interval '75 minutes'
            FROM (
                SELECT id, recovered_at,
                       CASE WHEN sla_met THEN (5 + floor(random() * 6))::int
                            ELSE floor(random() * 9)::int END AS score
                FROM recovery_incident
                WHERE id > %s AND recovered_at IS NOT NULL AND random() < 0.35
                  AND recovered_at + interval '75 minutes' < %s
            ) AS answered
            """,
            [since_id, now],
        )
        # Managers close their call-backs within a fortnight; the last two weeks' stay open.
        cursor.execute(
            """
            INSERT INTO recovery_followup (incident_id, status, note, opened_at, closed_at)
            SELECT s.incident_id,
                   CASE WHEN s.answered_at < %(recent)s THEN 'closed' ELSE 'open' END,
                   CASE WHEN s.answered_at < %(recent)s THEN 'Called back, credit offered.' ELSE '' END,
                   s.answered_at,
                   CASE WHEN s.answered_at < %(recent)s THEN s.answered_at + interval '2 days' END
            FROM recovery_surveyresponse s
            WHERE s.incident_id > %(since)s AND s.category = 'detractor'
            """,
            {"recent": now - timedelta(days=14), "since": since_id},
        )
        # The SMS a finished incident leaves: apology, ETA, arrival and running again, delivered.
        cursor.execute(
            """
            INSERT INTO notifications_message (
                incident_id, customer_id, direction, kind, to_number, from_number, language, body,
                segments, encoding, status, not_sent_reason, error_message, attempts,
                created_at, sent_at, delivered_at, status_updated_at, twilio_sid
            )
            SELECT i.id, r.customer_id, 'outbound', k.kind, c.mobile, '+390000000000', c.language,
                   CASE WHEN at > %(retention)s THEN 'Pronto: ' || k.kind ELSE '' END,
                   1, 'GSM', 'delivered', '', '', 1, at, at, at + interval '4 seconds',
                   at + interval '4 seconds', 'SM' || md5(i.id::text || k.kind)
            FROM recovery_incident i
            JOIN fleet_rental r ON r.id = i.rental_id
            JOIN fleet_customer c ON c.id = r.customer_id
            CROSS JOIN LATERAL (VALUES
                ('acknowledgement', i.reported_at + interval '1 second'),
                ('eta', i.dispatched_at), ('arrival', i.on_site_at), ('recovered', i.recovered_at)
            ) AS k(kind, at)
            WHERE i.id > %(since)s AND k.at IS NOT NULL
            """,
            {"since": since_id, "retention": now - timedelta(days=180)},
        )
        # Each customer's record, as customer_record_refresh keeps it (recovery.figures).
        cursor.execute(
            """
            INSERT INTO recovery_customerrecoveryrecord (
                customer_id, recoveries, median_time_to_recovery, sla_met_pct, promises_kept_pct,
                updated_at
            )
            SELECT r.customer_id, count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY i.time_to_recovery),
                   avg(CASE WHEN i.sla_met THEN 100.0 ELSE 0.0 END),
                   avg(CASE WHEN i.promise_kept THEN 100.0 WHEN NOT i.promise_kept THEN 0.0 END),
                   %(now)s
            FROM recovery_incident i JOIN fleet_rental r ON r.id = i.rental_id
            WHERE i.status IN ('recovered', 'closed') AND i.time_to_recovery IS NOT NULL
            GROUP BY r.customer_id
            ON CONFLICT (customer_id) DO UPDATE SET
                recoveries = EXCLUDED.recoveries,
                median_time_to_recovery = EXCLUDED.median_time_to_recovery,
                sla_met_pct = EXCLUDED.sla_met_pct,
                promises_kept_pct = EXCLUDED.promises_kept_pct,
                updated_at = EXCLUDED.updated_at
            """,
            {"now": now},
        )


def _open_status(rng: random.Random) -> str:
    roll = rng.random()
    for status, share in OPEN_SHARES:
        if roll < share:
            return status
        roll -= share
    return IncidentStatus.REPORTED


def open_incidents_seed(*, count: int, seed: int = 7, now: datetime | None = None) -> list[int]:
    """`count` open incidents on active rentals with no open incident yet, at every stage of a
    recovery; returns their ids. Machines move as the services would move them."""
    rng = random.Random(seed)
    now = now or timezone.now()
    busy = Incident.objects.filter(status__in=[s for s, _ in OPEN_SHARES]).values("broken_machine_id")
    rentals = list(
        Rental.objects.filter(status=RentalStatus.ACTIVE)
        .exclude(machine_id__in=busy)
        .order_by("id")
        .values_list("id", "machine_id", "recovery_sla_hours", "site_lat", "site_lon", "branch_id")
    )
    if len(rentals) < count:
        raise ValueError(f"Only {len(rentals)} active rentals without an open incident; {count} wanted.")
    rentals = rng.sample(rentals, count)
    crews: dict[int, list[int]] = {}
    for technician_id, branch_id in Technician.objects.filter(on_shift=True).values_list(
        "id", "home_branch_id"
    ):
        crews.setdefault(branch_id, []).append(technician_id)
    everyone = [t for ids in crews.values() for t in ids]
    spares = list(
        Machine.objects.filter(status=MachineStatus.AVAILABLE)
        .order_by("?")
        .values_list("id", flat=True)[:count]
    )
    incidents: list[Incident] = []
    reserved: list[int] = []
    in_transit: list[int] = []
    for rental_id, machine_id, sla_hours, lat, lon, branch_id in rentals:
        status = _open_status(rng)
        steps = PAST_STEPS.get(status, 0)
        reported = now - timedelta(minutes=rng.uniform(5, 60 * sla_hours * 1.2))
        dispatched = reported + timedelta(minutes=rng.uniform(5, 25)) if steps >= 2 else None
        eta = dispatched + timedelta(minutes=rng.uniform(40, 150)) if dispatched else None
        replacement = spares.pop() if steps >= 1 and rng.random() < 0.8 else None
        if replacement is not None:
            (in_transit if steps >= 3 else reserved).append(replacement)
        incidents.append(
            Incident(
                rental_id=rental_id,
                broken_machine_id=machine_id,
                replacement_machine_id=replacement,
                technician_id=rng.choice(crews.get(branch_id) or everyone) if steps >= 2 else None,
                status=status,
                reported_via=rng.choice([Channel.PHONE, Channel.API, Channel.TECHNICIAN]),
                symptom=rng.choice(SYMPTOMS),
                site_lat=lat,
                site_lon=lon,
                reported_at=reported,
                sla_due_at=reported + timedelta(hours=sla_hours),
                reserved_at=reported + timedelta(minutes=4) if steps >= 1 else None,
                dispatched_at=dispatched,
                en_route_at=dispatched + timedelta(minutes=5) if steps >= 3 and dispatched else None,
                on_site_at=eta if steps >= 4 else None,
                first_promised_eta=eta,
                current_eta=eta,
                customer_told_eta=eta,
                call_customer_reason="The customer called twice" if rng.random() < 0.05 else "",
            )
        )
    with transaction.atomic():
        created = Incident.objects.bulk_create(incidents)
        Machine.objects.filter(pk__in=[r[1] for r in rentals]).update(status=MachineStatus.BROKEN)
        Machine.objects.filter(pk__in=reserved).update(status=MachineStatus.RESERVED)
        Machine.objects.filter(pk__in=in_transit).update(status=MachineStatus.IN_TRANSIT)
    return [incident.pk for incident in created]


def seed_history(
    *, past_incidents: int, open_incidents: int, days: int = 730, seed: int = 7, now: datetime | None = None
) -> HistoryReport:
    """Add `days` of finished incidents and a board of open ones to a seeded company (seed_demo)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The history seeder writes with COPY: PostgreSQL only.")
    rng = random.Random(seed)
    now = now or timezone.now()
    customers = list(Customer.objects.values_list("id", flat=True))
    branches = list(Branch.objects.values_list("id", "name", "lat", "lon"))
    technicians = list(Technician.objects.values_list("id", flat=True))
    with connection.cursor() as cursor:
        # Any machine may have broken down once; a sample is enough to pick from.
        cursor.execute("SELECT id FROM fleet_machine TABLESAMPLE SYSTEM (10) REPEATABLE (%s)", [seed])
        machine_ids = [row[0] for row in cursor.fetchall()] or list(
            Machine.objects.values_list("id", flat=True)
        )
        cursor.execute("SELECT coalesce(max(id), 0) FROM fleet_rental")
        last_rental = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM recovery_incident")
        last_incident = cursor.fetchone()[0]
    with transaction.atomic():
        # One ended rental for every two past breakdowns.
        _past_rentals(rng, max(1, past_incidents // 2), customers, branches, machine_ids, now, days)
        # Each past rental with the machine that would come as its replacement.
        rentals = [
            (*rental, rng.choice(machine_ids))
            for rental in Rental.objects.filter(pk__gt=last_rental).values_list(
                "id", "machine_id", "recovery_sla_hours", "site_lat", "site_lon"
            )
        ]
        _copy(
            "recovery_incident",
            INCIDENT_COLUMNS,
            (_past_incident(rng, rng.choice(rentals), technicians, now, days) for _ in range(past_incidents)),
        )
        _derived_history(since_id=last_incident, seed=seed, now=now)
    open_ids = open_incidents_seed(count=open_incidents, seed=seed, now=now) if open_incidents else []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM recovery_surveyresponse")
        surveys = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM recovery_followup WHERE status = 'open'")
        follow_ups = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM notifications_message")
        messages = cursor.fetchone()[0]
    return HistoryReport(
        past_incidents=past_incidents,
        open_incidents=len(open_ids),
        survey_responses=surveys,
        open_follow_ups=follow_ups,
        sms_messages=messages,
    )
