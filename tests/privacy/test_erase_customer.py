"""`erase_customer`: every copy of a customer's personal data goes, every recovery figure stays."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import AuditAction, AuditChannel, AuditEntry
from fleet.models import Customer, Rental
from notifications.models import Message, MessageStatus
from privacy.errors import ErasureRefused
from privacy.services import customer_erase
from recovery import services as recovery
from recovery.models import EventKind, FollowUp, Incident, JobPhoto, TimelineEvent
from tests import factories
from tests.conftest import api_client_for
from tests.privacy.helpers import (
    MOBILE,
    SITE,
    TRACES,
    deliver_queued_messages,
    recovered_customer_story,
    recovery_figures,
    rows_mentioning,
)

pytestmark = pytest.mark.django_db


def erase(customer_id: int, *args: str) -> str:
    out = StringIO()
    call_command("erase_customer", str(customer_id), "--yes", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def story(settings):
    return recovered_customer_story(settings)


@pytest.fixture
def bodies(story):
    """The SMS texts as they were, to search for afterwards."""
    return [body for body in Message.objects.filter(customer=story.customer).values_list("body", flat=True)]


def test_no_row_anywhere_still_holds_her_name_number_site_or_texts(story, bodies):
    dispatcher_api = api_client_for(story.dispatcher)
    reply = dispatcher_api.post(
        f"/api/v1/incidents/{story.incident.pk}/messages/",
        {"body": "Gentile cliente, la richiamiamo subito"},
        format="json",
        headers={"Idempotency-Key": "reply-1"},
    )
    assert reply.status_code == 201
    assert rows_mentioning(*TRACES), "the story must have spread her data before the erasure"

    erase(story.customer.pk)

    assert rows_mentioning(*TRACES) == []
    assert rows_mentioning(*(body for body in bodies if len(body) > 15)) == []
    assert rows_mentioning("la richiamiamo subito") == []


def test_customer_becomes_a_placeholder_that_receives_no_sms(story):
    erase(story.customer.pk)

    customer = Customer.objects.get(pk=story.customer.pk)
    assert customer.company == f"Erased customer #{customer.pk}"
    assert customer.contact_name == "Erased customer"
    assert str(customer.mobile) == "+000000000"
    assert customer.erased_at is not None
    assert not customer.can_receive_sms


def test_recovery_metrics_loyalty_record_and_nps_are_unchanged(story):
    before = recovery_figures(story)

    erase(story.customer.pk)

    assert recovery_figures(story) == before


def test_ledger_rows_keep_status_kind_and_segments_but_lose_bodies_and_numbers(story):
    erase(story.customer.pk)

    messages = Message.objects.filter(customer=story.customer)
    assert messages.count() >= 5
    assert set(messages.values_list("body", flat=True)) == {""}
    assert messages.filter(body_erased_at__isnull=True).count() == 0
    assert MOBILE not in set(messages.values_list("to_number", flat=True))
    assert MOBILE not in set(messages.values_list("from_number", flat=True))
    assert messages.filter(status=MessageStatus.DELIVERED).exists()


def test_the_quoted_sms_goes_and_staff_notes_lose_only_the_identifiers(story):
    erase(story.customer.pk)

    quoted = TimelineEvent.objects.get(incident=story.incident, kind=EventKind.CUSTOMER_MESSAGE)
    assert quoted.detail == "[erased]"
    incident = Incident.objects.get(pk=story.incident.pk)
    assert incident.symptom == "[erased] called from [erased]: the arm will not lift"
    assert FollowUp.objects.get(incident=incident).note == "[erased]"


def test_job_site_keeps_only_a_town_level_position(story):
    erase(story.customer.pk)

    rental = Rental.objects.get(pk=story.rental.pk)
    incident = Incident.objects.get(pk=story.incident.pk)
    assert rental.site_address == f"Erased site (rental #{rental.pk})"
    assert (rental.site_lat, rental.site_lon) == (round(SITE[0], 2), round(SITE[1], 2))
    assert (incident.site_lat, incident.site_lon) == (round(SITE[0], 2), round(SITE[1], 2))


def test_a_second_run_is_harmless_and_says_so(story):
    erase(story.customer.pk)
    figures = recovery_figures(story)
    customer = Customer.objects.get(pk=story.customer.pk)

    output = erase(story.customer.pk)

    assert "already erased" in output
    assert recovery_figures(story) == figures
    again = Customer.objects.get(pk=story.customer.pk)
    assert (again.company, again.erased_at) == (customer.company, customer.erased_at)
    assert rows_mentioning(*TRACES) == []


def test_the_erasure_is_audited_with_who_ran_it_and_no_values(story):
    erase(story.customer.pk, "--by", "paola")

    entry = AuditEntry.objects.get(action=AuditAction.ERASE)
    assert (entry.customer_id, entry.channel, entry.actor.username) == (
        story.customer.pk,
        AuditChannel.COMMAND,
        "paola",
    )
    assert entry.fields == sorted(["company", "contact_name", "mobile", "sms_consent", "sms_opted_out_at"])


def test_a_customer_with_an_open_incident_is_refused_with_a_reason_and_nothing_changes(settings):
    open_incident = factories.incident_through(
        rental=factories.RentalFactory(customer=factories.CustomerFactory(contact_name="Anna Neri")),
        symptom="Engine will not start",
    )
    customer = open_incident.rental.customer

    with pytest.raises(CommandError, match=f"open incident \\(#{open_incident.pk}, reported\\)"):
        erase(customer.pk)

    customer.refresh_from_db()
    assert (customer.contact_name, customer.erased_at) == ("Anna Neri", None)
    assert not AuditEntry.objects.filter(action=AuditAction.ERASE).exists()


def test_an_sms_being_sent_right_now_postpones_the_erasure(story):
    Message.objects.filter(customer=story.customer).update(status=MessageStatus.SENDING)

    with pytest.raises(ErasureRefused, match="being sent right now"):
        customer_erase(customer=story.customer, by=None)


def test_texts_still_queued_to_her_are_cancelled_not_sent(settings):
    story = recovered_customer_story(settings)
    factories.incident_through(rental=factories.RentalFactory(customer=story.customer), symptom="x")
    queued = Message.objects.get(customer=story.customer, status=MessageStatus.QUEUED)
    recovery.incident_cancel(incident=queued.incident, reason="False alarm", by=None)

    erase(story.customer.pk)

    queued.refresh_from_db()
    assert (queued.status, queued.not_sent_reason, queued.body) == (MessageStatus.NOT_SENT, "opted_out", "")


def test_another_customer_sharing_the_number_keeps_their_texts(settings, story):
    colleague = factories.CustomerFactory(
        company="Altra Ditta S.p.A.", contact_name="Bruno Galli", mobile=MOBILE
    )
    incident = factories.incident_through(
        rental=factories.RentalFactory(customer=colleague), symptom="Flat tyre"
    )
    deliver_queued_messages(settings)

    erase(story.customer.pk)

    message = Message.objects.get(incident=incident)
    assert message.body != "" and message.to_number == MOBILE
    assert Customer.objects.get(pk=colleague.pk).contact_name == "Bruno Galli"


def test_unknown_customer_and_unconfirmed_run_erase_nothing(story, monkeypatch):
    with pytest.raises(CommandError, match="no customer #999999"):
        erase(999999)

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing erased"):
        call_command("erase_customer", str(story.customer.pk), stdout=StringIO())
    assert Customer.objects.get(pk=story.customer.pk).erased_at is None


def test_job_photos_and_their_files_go_once_the_erasure_commits(
    story, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    png = ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, name="delivery-note.png")
    photo = recovery.job_photo_add(
        incident=story.incident, file=png, by=story.dispatcher, taken_at=timezone.now()
    )
    path = Path(photo.file.path)
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        erase(story.customer.pk)

    assert not JobPhoto.objects.filter(incident=story.incident).exists()
    assert not path.exists()


def test_an_erased_customer_still_reads_through_the_api_and_the_incident_shows_the_placeholder(
    story, dispatcher_api
):
    erase(story.customer.pk)

    customer = dispatcher_api.get(f"/api/v1/customers/{story.customer.pk}/")
    incident = dispatcher_api.get(f"/api/v1/incidents/{story.incident.pk}/")

    assert customer.status_code == 200
    assert customer.json()["mobile"] == "+000000000"
    assert customer.json()["erased_at"] is not None
    assert incident.json()["customer"]["contact_name"] == "Erased customer"
    assert dispatcher_api.get("/api/v1/customers/").status_code == 200
