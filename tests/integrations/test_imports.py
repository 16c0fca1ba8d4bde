"""Customers and rentals coming in from the rental system: upserted by its references, idempotent,
all or nothing per file, with each rejected row and why."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import RentalLine
from fleet.models import Customer, Machine, MachineStatus, Rental
from integrations.models import ExternalReference
from tests import factories

pytestmark = pytest.mark.django_db

CUSTOMERS = """external_reference,company,contact_name,mobile,language
C-1001,Edilizia Bianchi S.r.l.,Marco Bianchi,+39 347 111 2233,it
C-1002,Scavi Verdi S.p.A.,Anna Verdi,+39 348 555 6677,en
"""

HALF_BAD_CUSTOMERS = """external_reference,company,contact_name,mobile,language
C-2001,Good One S.r.l.,Luigi Buono,+39 347 000 1111,it
C-2002,Bad Phone S.r.l.,Pia Male,12,it
C-2003,Good Two S.r.l.,Sara Bene,+39 347 000 2222,it
C-2004,,Nessuno,+39 347 000 3333,xx
"""

RENTAL_HEADER = (
    "rental_reference,customer_reference,branch,site_address,site_lat,site_lon,starts_at,status,"
    "line_reference,fleet_number,on_hire_at,off_hire_at,hour_meter_out,hour_meter_in,rate_eur,rate_period\n"
)


def upload(api, what: str, text: str):
    return api.post(
        f"/api/v1/imports/{what}/",
        {"file": SimpleUploadedFile(f"{what}.csv", text.encode(), content_type="text/csv")},
        format="multipart",
    )


def test_customers_are_upserted_by_the_rental_systems_reference(dispatcher_api):
    first = upload(dispatcher_api, "customers", CUSTOMERS)
    assert first.status_code == 200, first.json()
    assert (first.json()["created"], first.json()["updated"], first.json()["unchanged"]) == (2, 0, 0)

    again = upload(dispatcher_api, "customers", CUSTOMERS)
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 2)

    changed = dispatcher_api.post(
        "/api/v1/imports/customers/",
        {
            "rows": [
                {
                    "external_reference": "C-1002",
                    "company": "Scavi Verdi S.p.A.",
                    "contact_name": "Anna Verdi",
                    "mobile": "+393485556677",
                    "language": "it",
                }
            ]
        },
        format="json",
    )
    assert changed.json()["updated"] == 1
    customer = ExternalReference.objects.get(reference="C-1002").customer
    assert (customer.language, str(customer.mobile), Customer.objects.count()) == ("it", "+393485556677", 2)


def test_a_half_bad_file_imports_nothing_and_reports_each_bad_row(dispatcher_api):
    answer = upload(dispatcher_api, "customers", HALF_BAD_CUSTOMERS)

    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "import_rejected"
    assert body["detail"].startswith("Row 2 (C-2002): mobile: Not a valid mobile number")
    rejected = body["errors"]["report"]["rejected"]
    assert [(row["row"], row["reference"], sorted(row["errors"])) for row in rejected] == [
        (2, "C-2002", ["mobile"]),
        (4, "C-2004", ["company", "language"]),
    ]
    assert Customer.objects.count() == 0
    assert ExternalReference.objects.count() == 0


def test_a_rental_comes_with_its_lines_and_a_second_import_changes_nothing(dispatcher_api, mini, milano):
    upload(dispatcher_api, "customers", CUSTOMERS)
    factories.MachineFactory(
        fleet_number="PR0000501", category=mini, home_branch=milano, status=MachineStatus.IN_REPAIR
    )
    factories.MachineFactory(fleet_number="PR0000502", category=mini, home_branch=milano)
    rows = RENTAL_HEADER + (
        "R-77,C-1001,Milano,Via Roma 1 Sesto,45.55,9.2,2026-11-01T08:00:00+01:00,active,"
        "L1,PR0000501,2026-11-01T08:00:00+01:00,2026-11-10T12:00:00+01:00,100.0,180.5,210.00,day\n"
        "R-77,C-1001,Milano,Via Roma 1 Sesto,45.55,9.2,2026-11-01T08:00:00+01:00,active,"
        "L2,PR0000502,2026-11-10T12:00:00+01:00,,55.0,,210.00,day\n"
    )

    first = upload(dispatcher_api, "rentals", rows)
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 1
    rental = Rental.objects.get(external_reference__reference="R-77")
    assert rental.machine.fleet_number == "PR0000502"
    assert rental.customer.company == "Edilizia Bianchi S.r.l."
    lines = list(RentalLine.objects.filter(rental=rental).order_by("on_hire_at"))
    assert [(line.machine.fleet_number, line.external_line, line.off_hire_at is None) for line in lines] == [
        ("PR0000501", "L1", False),
        ("PR0000502", "L2", True),
    ]
    assert lines[1].replaces == lines[0]
    assert Machine.objects.get(fleet_number="PR0000502").status == MachineStatus.ON_RENT

    again = upload(dispatcher_api, "rentals", rows)
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 1)
    assert RentalLine.objects.filter(rental=rental).count() == 2


def test_a_rental_for_an_unknown_customer_or_machine_is_rejected_with_the_reason(dispatcher_api):
    rows = RENTAL_HEADER + (
        "R-88,C-404,Milano,Via Roma 1,45.55,9.2,2026-11-01T08:00:00+01:00,active,,PR9999999,"
        "2026-11-01T08:00:00+01:00,,,,,day\n"
    )
    answer = upload(dispatcher_api, "rentals", rows)

    assert answer.status_code == 400
    rejected = answer.json()["errors"]["report"]["rejected"]
    assert rejected[0]["row"] == 1
    assert "No machine PR9999999 in the fleet." in str(rejected[0]["errors"])
    assert Rental.objects.count() == 0


def test_the_admin_upload_shows_the_rejected_rows(admin_client):
    page = admin_client.post(
        "/admin/integrations/externalreference/import/",
        {
            "what": "customers",
            "file": SimpleUploadedFile("c.csv", HALF_BAD_CUSTOMERS.encode(), content_type="text/csv"),
        },
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing imported" in html
    assert "C-2002" in html and "C-2004" in html
    assert Customer.objects.count() == 0


def test_only_the_desk_imports(api_client_technician):
    assert (
        api_client_technician.post("/api/v1/imports/customers/", {"rows": []}, format="json").status_code
        == 403
    )


@pytest.fixture
def api_client_technician(db):
    from tests.conftest import api_client_for

    return api_client_for(factories.UserFactory(role="technician", username="tec"))
