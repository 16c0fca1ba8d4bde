"""Loyalty figures read from the stored per-incident metrics: percentiles, rates, NPS, CSV rows."""

import csv
import io
from datetime import timedelta

import pytest

from recovery import loyalty
from tests.factories import incident_through

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday(db):
    return loyalty.this_week().since + timedelta(minutes=5)


@pytest.fixture
def three_recoveries(rental, technician, dispatcher, monday):
    """Recovered in 60, 120 and 300 minutes on a 4-hour SLA; scores 10, 8 and 3."""
    return [
        incident_through(
            "recovered",
            rental=rental,
            technician=technician,
            by=dispatcher,
            reported_at=monday + timedelta(hours=6 * n),
            repair_only=True,
            symptom="Engine will not start",
            on_site_after=minutes - 10,
            recovered_after=minutes,
            score=score,
        )
        for n, (minutes, score) in enumerate([(60, 10), (120, 8), (300, 3)])
    ]


def test_median_and_90th_percentile_are_interpolated_like_percentile_cont(three_recoveries, monday):
    summary = loyalty.recovery_summary(since=loyalty.this_week().since)

    assert summary.recoveries == 3
    assert summary.median_time_to_recovery == timedelta(minutes=120)
    assert summary.p90_time_to_recovery == timedelta(minutes=120 + 0.8 * 180)
    assert summary.sla_met_pct == pytest.approx(200 / 3)


def test_nps_counts_promoters_passives_and_detractors(three_recoveries):
    nps = loyalty.nps_summary(since=loyalty.this_week().since)

    assert (nps.promoters, nps.passives, nps.detractors) == (1, 1, 1)
    assert nps.score == 0


def test_empty_period_has_no_figures_rather_than_zeros(db):
    summary = loyalty.recovery_summary(since=loyalty.this_week().since)

    assert summary.recoveries == 0
    assert summary.median_time_to_recovery is None and summary.sla_met_pct is None
    assert loyalty.nps_summary().score is None


def test_detractor_lands_in_the_follow_up_queue(three_recoveries):
    queue = list(loyalty.follow_up_queue())

    assert [f.incident for f in queue] == [three_recoveries[2]]


def test_breakdowns_and_weekly_trend(three_recoveries):
    assert [(r.name, r.recoveries) for r in loyalty.breakdown_by_branch()] == [("Milano", 3)]
    assert loyalty.breakdown_by_category()[0].name == "Mini excavator 1.5–2 t"
    trend = loyalty.weekly_trend(weeks=4)
    assert [p.recoveries for p in trend] == [0, 0, 0, 3]


def test_worst_customers_come_from_the_stored_record(three_recoveries):
    record = loyalty.worst_customers().get()

    assert record.customer.company == "Edilizia Rossi S.r.l."
    assert record.recoveries == 3


def test_csv_rows_carry_the_stored_minutes(three_recoveries):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(loyalty.incident_metrics_rows())
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))

    assert [r["time_to_recovery_min"] for r in rows] == ["60.0", "120.0", "300.0"]
    assert [r["sla_met"] for r in rows] == ["yes", "yes", "no"]
    assert rows[2]["nps_score"] == "3"
