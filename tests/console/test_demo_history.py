"""The demo's story: months of incidents made by the real services on a driven clock, the same
story for the same seed, and a live morning with incidents open in every state."""

from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.db.models import Count

from console.demo_history import OPEN_PLAN, seed_history
from fleet.demo import seed_demo
from notifications.models import Message, MessageStatus
from recovery.models import FollowUp, GoodwillCredit, Incident, IncidentStatus, SurveyResponse

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def _story() -> dict:
    seed_demo(seed=3, machines=400, customers=15, now=NOW)
    report = seed_history(seed=5, incidents=40, days=60, now=NOW)
    incidents = Incident.objects.order_by("reported_at")
    return {
        "report": report,
        "timeline": [
            (i.reported_at, i.status, i.rental.customer.company, i.time_to_recovery, i.sla_met)
            for i in incidents
        ],
        "statuses": dict(incidents.values_list("status").annotate(n=Count("id")).order_by()),
        "scores": list(SurveyResponse.objects.order_by("answered_at").values_list("score", flat=True)),
        "credits": GoodwillCredit.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "queued_history": Message.objects.filter(status=MessageStatus.QUEUED, created_at__lt=NOW).count(),
        "first": incidents.first().reported_at,
    }


def _run_and_forget() -> dict:
    with transaction.atomic():
        story = _story()
        transaction.set_rollback(True)
    return story


def test_the_same_seed_tells_the_same_story():
    assert _run_and_forget()["timeline"] == _run_and_forget()["timeline"]


def test_the_story_has_history_figures_and_a_live_morning():
    story = _story()

    statuses = story["statuses"]
    assert statuses[IncidentStatus.CLOSED] >= 30
    assert story["report"].incidents == 40
    # Months back, not all today, and every open state on the board this morning.
    assert (NOW - story["first"]).days >= 40
    for status, _ in OPEN_PLAN[1:]:
        assert statuses.get(status, 0) >= 1, status
    assert statuses[IncidentStatus.REPORTED] >= 3
    assert story["scores"] and story["follow_ups"] <= len(story["scores"])
    assert {True, False} == {sla for *_, sla in story["timeline"] if sla is not None}
    # The story's SMS were delivered months ago; only this morning's are waiting to go.
    assert story["queued_history"] <= 3 * len(OPEN_PLAN) * 3
