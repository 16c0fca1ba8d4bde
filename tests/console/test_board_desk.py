"""The board around the table: counters, filters kept per dispatcher, the map's data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from console.models import DeskProfile
from recovery import services
from recovery.models import Channel, Incident
from tests import factories
from tests.console.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_open(rental, second_rental, dispatcher, monza):
    """One breached, one at risk, one comfortable; the third in Monza."""
    now = timezone.now()
    breached = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Fermo"
    )
    at_risk = services.incident_log(
        rental=second_rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Perde olio"
    )
    Incident.objects.filter(pk=breached.pk).update(sla_due_at=now - timedelta(minutes=20))
    Incident.objects.filter(pk=at_risk.pk).update(sla_due_at=now + timedelta(minutes=30))
    third_rental = factories.RentalFactory(
        customer=factories.CustomerFactory(company="Brianza Lavori"), branch=monza, machine__home_branch=monza
    )
    comfortable = services.incident_log(
        rental=third_rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Non parte"
    )
    return {"breached": breached, "at_risk": at_risk, "comfortable": comfortable}


def counters(page: str) -> str:
    return page[page.index('id="board-counts"') : page.index("</dl>", page.index('id="board-counts"'))]


def test_counters_say_open_at_risk_breached_and_without_a_crew(dispatcher_client, three_open):
    block = counters(dispatcher_client.get("/").content.decode())

    assert "Open</dt><dd>3<" in block
    assert "At risk</dt><dd>1<" in block
    assert "SLA breached</dt><dd>1<" in block
    assert "No crew yet</dt><dd>3<" in block


def test_the_polled_rows_bring_fresh_counters_out_of_band(dispatcher_client, three_open):
    rows = dispatcher_client.get("/board/rows/", headers={"HX-Request": "true"}).content.decode()

    assert 'id="board-counts" hx-swap-oob="true"' in rows


def test_filters_are_kept_per_dispatcher_and_apply_to_the_polled_rows(
    dispatcher_client, dispatcher, three_open, monza
):
    dispatcher_client.post("/board/filters/", {"branch": monza.pk, "status": "reported", "category": ""})

    board = dispatcher_client.get("/").content.decode()
    rows = dispatcher_client.get("/board/rows/").content.decode()
    other = client_for(factories.UserFactory(role="dispatcher", username="marco")).get("/").content.decode()

    assert "Brianza Lavori" in board and "Edilizia Rossi" not in board
    assert "Brianza Lavori" in rows and "Scavi Bianchi" not in rows
    assert "Open</dt><dd>1<" in counters(board)
    assert DeskProfile.objects.get(user=dispatcher).board_filters == {
        "branch": monza.pk,
        "status": "reported",
    }
    assert "Edilizia Rossi" in other  # another dispatcher's board is their own


def test_clearing_the_filters_and_nonsense_filters_show_everything(dispatcher_client, three_open, monza):
    dispatcher_client.post("/board/filters/", {"branch": "Monza!", "status": "sideways"})
    nonsense = dispatcher_client.get("/").content.decode()
    dispatcher_client.post("/board/filters/", {"branch": monza.pk})
    dispatcher_client.post("/board/filters/", {"clear": "1"})
    cleared = dispatcher_client.get("/").content.decode()

    assert "Open</dt><dd>3<" in counters(nonsense)
    assert "Open</dt><dd>3<" in counters(cleared)


def test_the_map_shows_sites_by_sla_crews_on_shift_and_the_depots(dispatcher_client, three_open, technician):
    data = dispatcher_client.get("/board/map.json").json()

    by_id = {site["id"]: site["sla"] for site in data["sites"]}
    assert by_id[three_open["breached"].pk] == "danger"
    assert by_id[three_open["at_risk"].pk] == "warning"
    assert by_id[three_open["comfortable"].pk] == "ok"
    assert [crew["label"] for crew in data["crews"]] == ["Luca Ferri"]
    assert {"Milano", "Monza"} <= {town["name"] for town in data["towns"]}
    assert data["tile_url"] == ""


def test_the_map_data_is_for_the_desk_only(client, db):
    assert client.get("/board/map.json").status_code == 302
