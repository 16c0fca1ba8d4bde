"""What the customer reads, in their language: one function per kind of message.

Texts address the contact person by first name (never an account code), give times in local
time, and stay within two segments. They are rendered once, when queued, and stored: the
ledger shows exactly what the customer received."""

import phonenumbers
from django.utils import timezone, translation
from django.utils.translation import gettext

from fleet.models import Branch, Customer
from recovery.models import Incident

from .models import MessageKind
from .tracking import tracking_url

# Typographic characters that sneak in from category names and copy-paste; each one alone would
# switch the whole SMS to UCS-2 and halve what fits in a segment.
_GSM_FRIENDLY = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "}
)


def gsm_friendly(text: str) -> str:
    return text.translate(_GSM_FRIENDLY).replace("\u2026", "...")


def _phone(branch: Branch) -> str:
    return phonenumbers.format_number(branch.phone, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _local_time(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _context(incident: Incident) -> dict[str, str]:
    customer = incident.rental.customer
    machine = incident.replacement_machine or incident.broken_machine
    return {
        "name": customer.contact_first_name,
        "machine": machine.category.display_name,
        "broken": incident.broken_machine.category.display_name,
        "technician": incident.technician.first_name if incident.technician else "",
        "time": _local_time(incident.current_eta) if incident.current_eta else "",
        "phone": _phone(incident.rental.branch),
        "branch": incident.rental.branch.name,
    }


def _acknowledgement(c: dict[str, str], incident: Incident) -> str:
    return (
        gettext(
            "%(name)s, we are very sorry your %(broken)s has broken down. We are already organising help "
            "and will text you the arrival time shortly. Questions: %(phone)s"
        )
        % c
    )


def _proactive(c: dict[str, str], incident: Incident) -> str:
    c = {
        **c,
        # "Via Roma 12, Sesto San Giovanni" -> "Via Roma 12": the street is what the customer knows.
        "site": incident.rental.site_address.split(",")[0].strip(),
        "fault": incident.fault_text or gettext("a fault"),
        "fault_time": _local_time(incident.fault_at or incident.reported_at),
        "time": _local_time(incident.customer_told_eta) if incident.customer_told_eta else "",
    }
    if not c["time"]:
        text = gettext(
            "%(name)s, your %(broken)s at %(site)s reported a fault at %(fault_time)s (%(fault)s): we are "
            "already organising help and will text you the arrival time shortly. Questions: %(phone)s"
        )
    else:
        text = gettext(
            "%(name)s, your %(broken)s at %(site)s reported a fault at %(fault_time)s (%(fault)s): we are "
            "already preparing a replacement, expected at about %(time)s. Questions: %(phone)s"
        )
    return text % c


def _eta(c: dict[str, str], incident: Incident) -> str:
    c = {**c, "link": tracking_url(incident_id=incident.pk)}
    if incident.replacement_machine is None:
        text = gettext(
            "%(name)s, %(technician)s is coming to repair your %(broken)s and will be with you at about "
            "%(time)s. Branch: %(phone)s. Follow the visit: %(link)s"
        )
    else:
        text = gettext(
            "%(name)s, a replacement %(machine)s is on its way: %(technician)s will be with you at about "
            "%(time)s. Branch: %(phone)s. Follow it live: %(link)s"
        )
    return text % c


def _delay(c: dict[str, str], incident: Incident) -> str:
    return (
        gettext(
            "%(name)s, we are sorry: we are running late. %(technician)s will now be with you at about "
            "%(time)s. Questions: %(phone)s"
        )
        % c
    )


def _arrival(c: dict[str, str], incident: Incident) -> str:
    return gettext("%(name)s, %(technician)s is on site now with your %(machine)s.") % c


def _recovered(c: dict[str, str], incident: Incident) -> str:
    return (
        gettext(
            "%(name)s, you are up and running again. Thank you for your patience, and sorry again for the "
            "trouble."
        )
        % c
    )


def _survey(c: dict[str, str], incident: Incident) -> str:
    return (
        gettext(
            "%(name)s, from 0 to 10, how likely are you to recommend us to a colleague? "
            "Just reply with a number."
        )
        % c
    )


_TEXTS = {
    MessageKind.ACKNOWLEDGEMENT: _acknowledgement,
    MessageKind.PROACTIVE: _proactive,
    MessageKind.ETA: _eta,
    MessageKind.DELAY: _delay,
    MessageKind.ARRIVAL: _arrival,
    MessageKind.RECOVERED: _recovered,
    MessageKind.SURVEY: _survey,
}


def incident_message_text(*, incident: Incident, kind: str) -> str:
    customer = incident.rental.customer
    with translation.override(customer.language):
        return gsm_friendly(_TEXTS[MessageKind(kind)](_context(incident), incident))


def help_text(*, customer: Customer, branch: Branch) -> str:
    context = {"name": customer.contact_first_name, "branch": branch.name, "phone": _phone(branch)}
    with translation.override(customer.language):
        text = gettext(
            "To talk to us, call our %(branch)s branch on %(phone)s. Reply STOP to stop these texts."
        )
        return gsm_friendly(text % context)
