"""What the busiest pages cost in SQL statements with a company's history behind them: the same
small number whatever the history holds (bench/api_load.py measures the time at 100,000)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from fleet.demo import seed_demo
from recovery.demo import seed_history
from recovery.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def company_with_history():
    seed_demo(machines=3000, customers=40, technicians_per_branch=2)
    return seed_history(past_incidents=600, open_incidents=30, days=90)


def login(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_loyalty_page_reads_the_history_in_at_most_16_queries(
    company_with_history, django_assert_max_num_queries
):
    manager = login("manager")
    assert Incident.objects.filter(status=IncidentStatus.CLOSED).count() > 500

    # 15 for the page, 1 for the header's count of what waits for a manager (one UNION ALL).
    with django_assert_max_num_queries(16):
        page = manager.get("/loyalty/").content.decode()

    assert page.count('class="follow-up"') == min(company_with_history.open_follow_ups, 50) > 0
    assert "By branch, this month" in page


def test_board_poll_reads_a_page_of_open_incidents_in_few_queries(
    company_with_history, django_assert_max_num_queries
):
    dispatcher = login("dispatcher")

    # As tests/console/test_board.py counts them: the same whatever the history.
    with django_assert_max_num_queries(9):
        rows = dispatcher.get("/board/rows/").content.decode()

    assert rows.count('id="incident-') == 30


def test_suggestions_cost_the_same_few_queries_whatever_the_history(
    company_with_history, django_assert_max_num_queries
):
    api = APIClient()
    api.force_authenticate(get_user_model().objects.get(username="dispatcher"))
    incident = Incident.objects.filter(status=IncidentStatus.REPORTED).first()

    # The incident, the KNN search, the crews and their skills, the learnt corrections, and the
    # crews for a repair visit: none of them reads past incidents.
    with django_assert_max_num_queries(8):
        answer = api.get(f"/api/v1/incidents/{incident.pk}/suggestions/").json()

    assert answer["suggestions"] and answer["technicians"]
