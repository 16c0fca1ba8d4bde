"""A manager's screens in a real browser: the loyalty figures with a detractor to call back, the
CSV export, and a goodwill credit above the limit waiting for approval."""

import csv
import io
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from recovery import loyalty, services
from recovery.models import FollowUpStatus, GoodwillStatus
from tests import factories
from tests.console.conftest import log_in, screenshot
from tests.factories import incident_through

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def detractor(dispatcher, manager, rental, technician):
    return incident_through(
        "recovered",
        rental=rental,
        technician=technician,
        by=dispatcher,
        reported_at=loyalty.this_week().since + timedelta(minutes=5),
        repair_only=True,
        symptom="Engine will not start",
        on_site_after=70,
        recovered_after=150,
        score=3,
    )


def test_manager_reads_the_figures_calls_the_detractor_back_and_exports_csv(new_page, live_server, detractor):
    page = new_page()
    log_in(page, live_server, "paola")
    page.get_by_role("link", name="Loyalty").click()

    week = page.locator(".kpi-block").first
    expect(week.locator('[data-figure="median"]')).to_have_text("2 h 30 min")
    expect(week.locator('[data-figure="nps"]')).to_have_text("-100")
    expect(week).to_contain_text("promoters 0 · passives 0 · detractors 1")
    follow_up = page.locator(".follow-up", has_text="Edilizia Rossi S.r.l.")
    expect(follow_up).to_contain_text("score 3/10")
    screenshot(page, "loyalty_with_detractor")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export incident metrics (CSV)").click()
    *lines, trailer = download.value.path().read_text().splitlines()
    assert trailer == "# complete: 1 incidents"
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    assert [(r["customer"], r["time_to_recovery_min"], r["nps_score"]) for r in rows] == [
        ("Edilizia Rossi S.r.l.", "150.0", "3")
    ]

    follow_up.get_by_label("Assign to").select_option(label="Paola Verdi")
    follow_up.get_by_label("Note").fill("Called Giulia: the crew was late, offered a free day")
    follow_up.get_by_label("Close").check()
    follow_up.get_by_role("button", name="Save").click()

    expect(page.locator(".message-success")).to_have_text("Follow-up updated.")
    expect(page.get_by_text("No detractor is waiting for a call. Well done.")).to_be_visible()
    detractor.follow_up.refresh_from_db()
    assert detractor.follow_up.status == FollowUpStatus.CLOSED


def test_manager_approves_a_credit_above_the_dispatchers_limit(
    new_page, live_server, dispatcher, manager, rental
):
    incident = factories.incident_through(rental=rental, by=dispatcher, symptom="Won't start")
    credit = services.goodwill_grant(
        incident=incident, amount_eur=2500, reason="Crane idle for two days", by=dispatcher
    )
    assert credit.status == GoodwillStatus.AWAITING_APPROVAL

    page = new_page()
    log_in(page, live_server, "paola")
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    goodwill = page.locator("#goodwill")
    expect(goodwill).to_contain_text("Awaiting a manager")
    screenshot(page, "incident_goodwill_awaiting")
    goodwill.get_by_role("button", name="Approve").click()

    expect(page.locator(".message-success")).to_have_text("Credit approved.")
    expect(page.locator("#goodwill")).to_contain_text("Approved by a manager")
