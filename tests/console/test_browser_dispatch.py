"""A dispatcher's day in a real browser: log in, find the rental, log, dispatch, recover, and the
manager's figures move. Also the race for a machine, and a board that refreshes under your typing."""

import re

import pytest
from playwright.sync_api import expect

from notifications import services as sms_services
from notifications.backends import locmem
from notifications.models import Message, MessageKind
from recovery import services
from recovery.models import Incident
from tests import factories
from tests.console.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sms_in_process(settings):
    """SMS sent by the live server's own thread into the in-memory outbox, as a worker would."""
    from config.celery import app

    settings.SMS_BACKEND = "notifications.backends.locmem.LocmemBackend"
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield locmem.outbox
    app.conf.task_always_eager = eager


@pytest.fixture
def desk(dispatcher, manager, rental, replacements, technician):
    """The demo's people and a job site in Lombardy with three machines that could help."""
    return {"rental": rental, "replacements": replacements, "technician": technician}


def test_dispatcher_logs_a_breakdown_dispatches_and_the_loyalty_figures_move(
    new_page, live_server, desk, sms_in_process, settings
):
    settings.CONSOLE_BOARD_POLL_SECONDS = 1
    manager_page = new_page()
    log_in(manager_page, live_server, "paola")
    manager_page.goto(f"{live_server.url}/loyalty/")
    expect(manager_page.locator(".kpi-block").first).to_contain_text("No recovery yet in this period.")
    screenshot(manager_page, "loyalty_empty")

    page = new_page()
    log_in(page, live_server, "chiara")
    expect(page.get_by_text("No open incidents.")).to_be_visible()
    screenshot(page, "board_empty")

    page.get_by_role("link", name="Log a breakdown").first.click()
    page.get_by_label("Customer, contact, phone, fleet number or site").fill("Rossi")
    result = page.locator(".result", has_text="Edilizia Rossi S.r.l.")
    expect(result).to_be_visible()
    screenshot(page, "intake_search")
    result.click()
    page.get_by_label("What is wrong?").fill("Hydraulic hose burst, boom won't lift")
    page.get_by_label("Machine down").check()
    screenshot(page, "intake_form")
    page.get_by_role("button", name="Log the breakdown").click()

    expect(page.locator(".message-success")).to_contain_text("Breakdown logged")
    rows = page.locator("tr.suggestion")
    # Luca waits at the Milano yard: its machine is farther from the site than Monza's, but he
    # loads it where he stands, so it arrives first.
    expect(rows.first).to_contain_text("PR0000003")
    expect(rows.first).to_contain_text("crew to the yard 0")
    expect(rows.first).to_contain_text("exact")
    expect(rows.first).to_contain_text("Luca Ferri")
    expect(page.locator("tr.suggestion", has_text="PR0000004")).to_contain_text("substitute")
    # No tiles configured: the site, machines and crew are still drawn as vector markers.
    # Monza's two machines share one marker and label; Milano's machine and Luca share a yard too.
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(4)
    expect(page.locator("#map .leaflet-tooltip", has_text="PR0000002, PR0000004")).to_be_visible()
    screenshot(page, "incident_suggestions")

    rows.first.get_by_role("button", name="Dispatch").click()
    expect(page.locator("#incident-status")).to_have_text("Dispatched")
    expect(page.locator(".message-success")).to_contain_text("Dispatched: Luca Ferri, arriving about")

    # The customer got the apology and the arrival time; Twilio reports delivery a moment later.
    conversation = page.locator("#conversation-messages")
    eta_sms = conversation.locator(".msg-out", has_text="Luca")
    expect(eta_sms).to_contain_text("sending")
    eta = Message.objects.get(kind=MessageKind.ETA)
    assert [m.to for m in sms_in_process] == [str(desk["rental"].customer.mobile)] * 2
    sms_services.message_status_update(message_id=eta.pk, sid=eta.twilio_sid, status="delivered")
    expect(eta_sms).to_contain_text("delivered")

    # The customer answers; the dispatcher is typing a reply while the conversation refreshes.
    reply_box = page.get_by_label("Text the customer")
    reply_box.fill("Luca arriva tra poco")
    sms_services.inbound_message_receive(
        from_number=str(desk["rental"].customer.mobile),
        to_number="+390200000000",
        body="Quanto manca? Siamo fermi.",
        sid="SM0000000000000000000000000000042",
    )
    expect(conversation.locator(".msg-in")).to_contain_text("Quanto manca? Siamo fermi.")
    expect(reply_box).to_have_value("Luca arriva tra poco")
    reply_box.fill("Luca arriva tra 10 minuti, ci scusi.")
    page.get_by_role("button", name="Send SMS").click()
    expect(page.locator(".message-success")).to_contain_text("Message queued for the customer")
    expect(conversation.locator(".msg-out").last).to_contain_text("Luca arriva tra 10 minuti, ci scusi.")
    assert sms_in_process[-1].body == "Luca arriva tra 10 minuti, ci scusi."
    # The tracking link is one long word: it must wrap inside its bubble, not widen the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "incident_dispatched")

    page.get_by_role("button", name="Crew left (en route)").click()
    expect(page.locator("#incident-status")).to_have_text("En route")
    page.get_by_role("button", name="Crew on site").click()
    expect(page.locator("#incident-status")).to_have_text("On site")
    page.get_by_role("button", name="Running again: swapped").click()
    expect(page.locator("#incident-status")).to_have_text("Running again")
    expect(page.locator("#metrics")).to_contain_text("Time to recovery")
    screenshot(page, "incident_recovered")

    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("No open incidents.")).to_be_visible()

    manager_page.reload()
    week = manager_page.locator(".kpi-block").first
    expect(week.locator('[data-figure="recoveries"]')).to_have_text("1")
    expect(week.locator('[data-figure="sla"]')).to_have_text("100%")
    expect(week.locator('[data-figure="promises"]')).to_have_text("100%")
    screenshot(manager_page, "loyalty_after_recovery")

    manager_page.get_by_role("button", name="IT").click()
    expect(manager_page.locator("h1")).to_contain_text("Fedeltà")
    screenshot(manager_page, "loyalty_italian")


def test_machine_taken_a_moment_earlier_shows_a_friendly_message_and_the_next_best(
    new_page, live_server, desk, dispatcher, second_rental
):
    incident = factories.incident_through(
        rental=desk["rental"], by=dispatcher, symptom="Engine will not start"
    )
    page = new_page()
    log_in(page, live_server, "chiara")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    expect(page.locator("tr.suggestion").first).to_contain_text("PR0000003")

    # Another dispatcher, on another incident, takes PR0000003 while this page is open.
    rival = factories.incident_through(rental=second_rental, by=dispatcher, symptom="Bucket cylinder leak")
    services.replacement_reserve(incident=rival, machine=desk["replacements"]["milano"], by=dispatcher)

    page.locator("tr.suggestion").first.get_by_role("button", name="Dispatch").click()

    warning = page.locator(".message-warning")
    expect(warning).to_contain_text("PR0000003 was just reserved by another dispatcher")
    expect(warning).to_contain_text("the next best is PR0000002")
    expect(page.locator("tr.suggestion").first).to_contain_text("PR0000002")
    expect(page.locator("#incident-status")).to_have_text("Reported")
    screenshot(page, "incident_machine_taken")

    page.locator("tr.suggestion").first.get_by_role("button", name="Dispatch").click()
    expect(page.locator("#incident-status")).to_have_text("Dispatched")


def test_board_refreshes_by_itself_without_losing_what_the_dispatcher_types(
    new_page, live_server, desk, dispatcher, settings
):
    settings.CONSOLE_BOARD_POLL_SECONDS = 1
    page = new_page()
    log_in(page, live_server, "chiara")
    page.evaluate("window.__sameDocument = true")
    search = page.get_by_label("Find a rental")
    page.keyboard.press("/")  # the desk's shortcut to the search box
    expect(search).to_be_focused()
    page.keyboard.type("Bianchi, via Ga")

    incident = factories.incident_through(rental=desk["rental"], by=dispatcher, symptom="Track came off")

    row = page.locator(f"#incident-{incident.pk}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Edilizia Rossi S.r.l.")
    expect(row.locator(".sla")).to_have_class(re.compile(r"sla-ok"))
    expect(search).to_have_value("Bianchi, via Ga")
    expect(search).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True  # no page reload happened
    screenshot(page, "board_live")

    Incident.objects.filter(pk=incident.pk).update(sla_due_at=incident.reported_at)
    expect(row.locator(".sla")).to_have_class(re.compile(r"sla-danger"))
    expect(search).to_have_value("Bianchi, via Ga")


def test_incident_page_reads_well_on_a_tablet(new_page, live_server, desk, dispatcher):
    incident = factories.incident_through(rental=desk["rental"], by=dispatcher, symptom="Generator trips")
    page = new_page(width=768, height=1024)
    log_in(page, live_server, "chiara")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")

    expect(page.locator("tr.suggestion").first.get_by_role("button", name="Dispatch")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "incident_tablet")


def test_technician_sees_a_clear_refusal(new_page, live_server, db):
    factories.UserFactory(role="technician", username="luca")
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "luca")
    page.fill("#id_password", "pronto")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading")).to_have_text("This page is not for your account")
    screenshot(page, "forbidden_technician")
