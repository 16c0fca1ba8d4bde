"""The audit log: who viewed or changed which customer's data, from where; never the values."""

import json

import pytest
import yaml
from django.contrib.auth.models import Group
from django.test import Client

from core.models import AuditAction, AuditChannel, AuditEntry
from notifications.models import Message
from tests import factories
from tests.conftest import api_client_for
from tests.notifications.helpers import dispatched_incident, logged_incident

pytestmark = pytest.mark.django_db

REQUEST_ID = "req-audit-1"


def only_entry(**filters) -> AuditEntry:
    [entry] = AuditEntry.objects.filter(**filters)
    return entry


def test_a_page_of_the_customer_list_is_one_entry_naming_everyone_shown(dispatcher_api, dispatcher):
    customers = factories.CustomerFactory.create_batch(3)

    response = dispatcher_api.get("/api/v1/customers/", headers={"X-Request-ID": REQUEST_ID})

    assert response.status_code == 200
    entry = only_entry()
    assert (entry.actor, entry.action, entry.channel, entry.object_type) == (
        dispatcher,
        AuditAction.VIEW,
        AuditChannel.API,
        "customer",
    )
    assert entry.customer_ids == sorted(c.pk for c in customers)
    assert entry.request_id == REQUEST_ID


def test_opening_a_customer_is_a_view_of_that_customer(dispatcher_api):
    customer = factories.CustomerFactory()

    dispatcher_api.get(f"/api/v1/customers/{customer.pk}/")

    entry = only_entry(customer_id=customer.pk)
    assert (entry.action, entry.object_id) == (AuditAction.VIEW, str(customer.pk))


def test_creating_a_customer_lists_the_fields_but_never_their_values(dispatcher_api):
    response = dispatcher_api.post(
        "/api/v1/customers/",
        {"company": "Cantieri Bassi", "contact_name": "Ugo Bassi", "mobile": "+39 348 765 4321"},
        format="json",
    )

    entry = only_entry(action=AuditAction.CREATE)
    assert entry.customer_id == response.json()["id"]
    assert {"company", "contact_name", "mobile"} <= set(entry.fields)
    stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert "Bassi" not in stored and "7654321" not in stored


def test_changing_a_customer_names_only_the_fields_that_changed(dispatcher_api):
    customer = factories.CustomerFactory(contact_name="Ugo Bassi", language="it")

    dispatcher_api.patch(
        f"/api/v1/customers/{customer.pk}/", {"contact_name": "Ugo Bassini", "language": "it"}, format="json"
    )

    assert only_entry(action=AuditAction.UPDATE).fields == ["contact_name"]


def test_incident_detail_and_timeline_are_views_of_the_customer_they_show(dispatcher_api):
    incident = logged_incident()

    dispatcher_api.get(f"/api/v1/incidents/{incident.pk}/")
    dispatcher_api.get(f"/api/v1/incidents/{incident.pk}/timeline/")
    dispatcher_api.get("/api/v1/incidents/")

    customer = incident.rental.customer
    assert sorted(
        AuditEntry.objects.filter(customer_id=customer.pk).values_list("object_type", flat=True)
    ) == [
        "incident",
        "incident_timeline",
    ]
    assert only_entry(customer_id__isnull=True, object_type="incident").customer_ids == [customer.pk]


def test_reading_and_answering_the_sms_conversation_is_audited(dispatcher_api):
    incident = logged_incident()

    dispatcher_api.get(f"/api/v1/incidents/{incident.pk}/messages/")
    reply = dispatcher_api.post(
        f"/api/v1/incidents/{incident.pk}/messages/", {"body": "Arriviamo tra 10 minuti"}, format="json"
    )

    customer = incident.rental.customer
    assert only_entry(action=AuditAction.VIEW).object_type == "incident_messages"
    created = only_entry(action=AuditAction.CREATE)
    assert (created.customer_id, created.object_type, created.object_id, created.fields) == (
        customer.pk,
        "message",
        str(reply.json()["id"]),
        ["body"],
    )
    assert Message.objects.filter(pk=reply.json()["id"]).exists()


@pytest.fixture
def admin_client_for_paola():
    user = factories.UserFactory(username="paola-admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client, user


def test_django_admin_views_and_changes_to_a_customer_are_audited(admin_client_for_paola):
    client, user = admin_client_for_paola
    customer = factories.CustomerFactory(contact_name="Ugo Bassi", mobile="+393487654321")
    url = f"/admin/fleet/customer/{customer.pk}/change/"

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "company": customer.company,
            "contact_name": "Ugo Bassini",
            "mobile": "+393487654321",
            "language": "it",
            "sms_consent": "on",
            "channel_preference": "sms",
        },
    )

    assert response.status_code == 302
    view, update = AuditEntry.objects.order_by("id")
    assert (view.action, view.channel, view.actor) == (AuditAction.VIEW, AuditChannel.ADMIN, user)
    assert (update.action, update.channel, update.fields) == (
        AuditAction.UPDATE,
        AuditChannel.ADMIN,
        ["contact_name"],
    )


def test_managers_read_the_audit_log_of_one_customer_including_lists_that_showed_them(
    dispatcher_api, manager_api
):
    shown, other = factories.CustomerFactory.create_batch(2)
    dispatcher_api.get("/api/v1/customers/")
    dispatcher_api.get(f"/api/v1/customers/{shown.pk}/")
    dispatcher_api.get(f"/api/v1/customers/{other.pk}/")

    response = manager_api.get(f"/api/v1/audit/?customer={shown.pk}")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["action"], row["customer"], row["actor_name"]) for row in rows] == [
        ("view", shown.pk, "chiara"),
        ("view", None, "chiara"),
    ]
    assert rows[1]["customer_ids"] == sorted([shown.pk, other.pk])


def test_dispatchers_cannot_read_the_audit_log(dispatcher_api):
    response = dispatcher_api.get("/api/v1/audit/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_the_audit_log_is_in_the_openapi_schema_with_its_customer_filter(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    operation = schema["paths"]["/api/v1/audit/"]["get"]
    assert "customer" in {parameter["name"] for parameter in operation["parameters"]}
    assert "Managers and admins only" in operation["description"]


def test_a_technician_opening_an_open_job_with_the_customers_phone_is_audited():
    incident = dispatched_incident()
    incident.technician.user.groups.add(Group.objects.get(name="technician"))
    technician_api = api_client_for(incident.technician.user)

    assert technician_api.get(f"/api/v1/technician/jobs/{incident.pk}/").status_code == 200
    assert technician_api.get("/api/v1/technician/jobs/?scope=upcoming").status_code == 200

    detail = only_entry(customer_id=incident.rental.customer_id)
    assert (detail.object_type, detail.actor) == ("technician_job", incident.technician.user)
    assert only_entry(customer_id__isnull=True).customer_ids == [incident.rental.customer_id]


def test_managers_may_read_the_audit_log_in_the_admin_and_dispatchers_may_not():
    manager = factories.UserFactory(role="manager")
    dispatcher = factories.UserFactory(role="dispatcher")

    assert manager.has_perm("core.view_auditentry")
    assert not manager.has_perm("core.change_auditentry")
    assert not dispatcher.has_perm("core.view_auditentry")
