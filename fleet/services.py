"""Writes of the fleet domain that carry a rule; plain edits go through the API serializers."""

from datetime import datetime

from django.db import transaction

from fleet.models import Customer, Rental

# Reserved and never routable: "+0" is no country code, so nothing can text from or to it.
ERASED_MOBILE = "+000000000"
# Two decimals is about 1 km: still the right town for regional figures, no longer a house.
ERASED_SITE_DECIMALS = 2


def erased_company(customer_id: int) -> str:
    return f"Erased customer #{customer_id}"


ERASED_CONTACT_NAME = "Erased customer"


@transaction.atomic
def customer_anonymise(*, customer: Customer, at: datetime) -> Customer:
    """Replace the customer's own personal data with placeholders and stop every SMS to them.

    The row stays: rentals, incidents and their recovery figures still point at it."""
    customer.company = erased_company(customer.pk)
    customer.contact_name = ERASED_CONTACT_NAME
    customer.mobile = ERASED_MOBILE
    customer.sms_consent = False
    customer.sms_opted_out_at = customer.sms_opted_out_at or at
    customer.erased_at = customer.erased_at or at
    # update(), not save(): the placeholder is deliberately not a valid number.
    Customer.objects.filter(pk=customer.pk).update(
        company=customer.company,
        contact_name=customer.contact_name,
        mobile=customer.mobile,
        sms_consent=False,
        sms_opted_out_at=customer.sms_opted_out_at,
        erased_at=customer.erased_at,
    )
    return customer


def customer_rental_sites_erase(*, customer: Customer) -> int:
    """A job site can be someone's home: drop the address, keep the town-level position."""
    rentals = list(Rental.objects.filter(customer=customer).only("pk", "site_lat", "site_lon"))
    for rental in rentals:
        Rental.objects.filter(pk=rental.pk).update(
            site_address=f"Erased site (rental #{rental.pk})",
            site_lat=round(rental.site_lat, ERASED_SITE_DECIMALS),
            site_lon=round(rental.site_lon, ERASED_SITE_DECIMALS),
        )
    return len(rentals)
