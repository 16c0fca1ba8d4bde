"""The desk in a real browser: the board with its map and counters, search, history, a customer,
the managers' queue, Italian, a tablet and a phone. axe-core checks every page: no serious or
critical accessibility violation. Screenshots go to tests/artifacts/screenshots/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from recovery import services
from recovery.models import Channel, IncidentStatus
from tests import factories
from tests.console.conftest import ROOT, log_in, screenshot
from tests.factories import incident_through

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page) -> None:
    """axe-core (npm, pinned in package.json) on the page as it stands: nothing serious or critical."""
    if not AXE.exists():
        pytest.fail("axe-core is missing from node_modules: run `make assets` (make test does).")
    # Evaluated, not added as a <script>: the console's CSP rightly refuses inline scripts.
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    assert violations == [], f"{page.url}: {violations}"


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide in a {width[1]} px window"


@pytest.fixture
def busy_desk(dispatcher, manager, rental, second_rental, technician, replacements, monza, midi):
    """Two open incidents (one with a crew on the road), a finished one last week, a credit waiting."""
    category = rental.machine.category
    category.name_it = "Miniescavatore 1,5–2 t"
    category.save()
    midi.name_it = "Midiescavatore 5–6 t"
    midi.save()
    finished_rental = factories.RentalFactory(
        customer=factories.CustomerFactory(company="Impresa Edile Rossi S.r.l.", contact_name="Paolo Rossi"),
        site_address="Viale Europa 12, Padova",
        machine__category=category,
    )
    done = incident_through(
        IncidentStatus.RECOVERED,
        repair_only=True,
        rental=finished_rental,
        technician=technician,
        by=dispatcher,
        reported_at=timezone.now() - timedelta(days=6),
        on_site_after=50,
        recovered_after=110,
        score=4,
    )
    services.incident_close(incident=done, by=dispatcher)
    waiting = services.incident_log(
        rental=rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Tubo rotto"
    )
    on_road = services.incident_log(
        rental=second_rental, reported_by=dispatcher, channel=Channel.PHONE, symptom="Non parte"
    )
    services.dispatch_start(
        incident=on_road, by=dispatcher, machine=replacements["milano"], technician=technician
    )
    services.dispatch_depart(incident=on_road, by=dispatcher)
    services.goodwill_grant(
        incident=on_road, amount_eur=Decimal("2500"), reason="Gru ferma due giorni", by=dispatcher
    )
    return {"done": done, "waiting": waiting, "on_road": on_road}


def test_the_desk_tour_every_page_accessible(new_page, live_server, busy_desk):
    page = new_page()
    log_in(page, live_server, "chiara")

    # The board: counters, the list, and the map drawn offline (Natural Earth land, depot towns).
    expect(page.locator("#board-counts")).to_contain_text("Open")
    expect(page.locator("#board tbody tr")).to_have_count(2)
    expect(page.locator(".leaflet-land-pane path").first).to_be_attached()
    expect(page.locator(".town", has_text="Milano")).to_be_attached()
    expect(page.locator("#board-map .leaflet-overlay-pane path")).to_have_count(
        5
    )  # 2 sites, 1 crew, 1 leg, 1 van
    assert_accessible(page)
    screenshot(page, "desk_board_map")

    # j, j, Enter: the keyboard opens the second incident.
    page.locator("body").press("j")
    page.locator("body").press("j")
    expect(page.locator("#board tbody tr.row-focus")).to_have_count(1)
    page.keyboard.press("Enter")
    page.wait_for_url("**/incidents/*/")
    expect(page.locator("#map .leaflet-land-pane path").first).to_be_attached()
    assert_accessible(page)
    screenshot(page, "desk_incident_map")

    # Search like a person: two words out of order, highlighted.
    page.goto(f"{live_server.url}/intake/?q=bianchi+scavi")
    expect(page.locator(".results mark").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "desk_intake_search")

    # History with a search, then the customer.
    page.goto(f"{live_server.url}/history/?q=padova+rossi")
    expect(page.locator("table.history tbody tr")).to_have_count(1)
    expect(page.locator("table.history mark").first).to_have_text("Rossi")
    assert_accessible(page)
    screenshot(page, "desk_history_search")
    page.get_by_role("link", name="Impresa Edile Rossi S.r.l.").click()
    expect(page.get_by_role("heading", name="Impresa Edile Rossi S.r.l.")).to_be_visible()
    expect(page.locator("body")).to_contain_text("4/10")
    assert_accessible(page)
    screenshot(page, "desk_customer")

    # A dispatcher on the managers' pages, and a missing incident.
    page.goto(f"{live_server.url}/loyalty/")
    expect(page.get_by_role("heading", name="This page is for managers")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/incidents/999999/")
    expect(page.get_by_role("heading", name="There is no incident #999999")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "desk_incident_missing")


def test_the_manager_sees_the_queue_count_and_approves_there(new_page, live_server, busy_desk):
    page = new_page()
    log_in(page, live_server, "paola")
    waiting = page.get_by_role("link", name="Waiting")
    expect(waiting.locator(".count")).to_contain_text("2")  # the credit and the detractor
    waiting.click()
    expect(page.locator("#goodwill-queue")).to_contain_text("€2,500.00")
    assert_accessible(page)
    screenshot(page, "desk_manager_queue")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".message-success")).to_have_text("Credit approved.")
    expect(page.get_by_role("link", name="Waiting").locator(".count")).to_contain_text("1")
    page.goto(f"{live_server.url}/loyalty/")
    assert_accessible(page)


def test_italian_desk_reads_italian_and_types_italian_amounts(new_page, live_server, busy_desk):
    page = new_page()
    log_in(page, live_server, "chiara")
    page.get_by_role("button", name="IT").click()
    expect(page.get_by_role("heading", name="Tabellone")).to_be_visible()
    expect(page.locator("#board")).to_contain_text("Miniescavatore 1,5–2 t")
    assert_accessible(page)
    screenshot(page, "desk_board_it")

    page.goto(f"{live_server.url}/incidents/{busy_desk['waiting'].pk}/")
    goodwill = page.locator("#goodwill")
    goodwill.get_by_label("Importo (€)").fill("1250,50")
    goodwill.get_by_label("Cosa compensa").fill("Mezza giornata persa")
    goodwill.get_by_role("button", name="Concedi il credito").click()
    expect(page.locator("#goodwill")).to_contain_text("1.250,50 €")
    expect(page.locator("#timeline")).to_contain_text("1.250,50 € concessi: Mezza giornata persa")
    assert_accessible(page)
    screenshot(page, "desk_incident_it")

    page.goto(f"{live_server.url}/history/")
    expect(page.locator("table.history")).to_contain_text("Chiuso")
    screenshot(page, "desk_history_it")


def test_tablet_and_phone_widths_never_scroll_sideways(new_page, live_server, busy_desk):
    tablet = new_page(width=1024, height=768)
    log_in(tablet, live_server, "chiara")
    for path in ["/", f"/incidents/{busy_desk['waiting'].pk}/", "/history/", "/intake/?q=rossi"]:
        tablet.goto(f"{live_server.url}{path}")
        assert_no_sideways_scroll(tablet)
    tablet.goto(f"{live_server.url}/incidents/{busy_desk['waiting'].pk}/")
    # The replacements use the page's width, not half of it.
    card = tablet.locator("#suggestions").bounding_box()
    main = tablet.locator("main").bounding_box()
    assert card["width"] >= 0.9 * main["width"]
    screenshot(tablet, "desk_incident_tablet")

    phone = new_page(width=390, height=844)
    log_in(phone, live_server, "chiara")
    expect(phone.locator("#board tbody tr")).to_have_count(2)
    assert_no_sideways_scroll(phone)
    assert_accessible(phone)
    screenshot(phone, "desk_board_phone")
