"""What the customer reads, in their language: one function per kind of message.

Texts address the contact person as they like to be addressed (a stored form of address, a
title with the surname, else the first name; never an account code), give times in local time,
always say how to reach a person (the branch phone or the tracking link) and always fit two
GSM-7 segments: foreign characters are spelled in GSM-7 and, when the data are long, the text
is shortened by rule (the machine name goes first, then long names are cut; never the time, the
phone or the link). They are rendered once, when queued, and stored: the ledger shows exactly
what the customer received."""

from collections.abc import Callable
from datetime import datetime
from math import ceil

import phonenumbers
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from fleet.models import Branch, Customer
from recovery.models import Incident

from .models import MessageKind
from .segments import segment_count, to_gsm7
from .tracking import tracking_url

MAX_SEGMENTS = 2
# How much of a name or a machine is kept when the text would not fit otherwise.
SHORT_VALUE_CHARS = 20

# Titles and honorifics as written before a name, and how we write them back. A titled contact
# is greeted with the title and the surname ("Dott. Rossi"), never with the title alone.
TITLES = {
    "dott": "Dott.",
    "dottor": "Dott.",
    "dottore": "Dott.",
    "dott.ssa": "Dott.ssa",
    "dottoressa": "Dott.ssa",
    "dr": "Dr",
    "dr.ssa": "Dott.ssa",
    "ing": "Ing.",
    "ingegner": "Ing.",
    "ingegnere": "Ing.",
    "geom": "Geom.",
    "geometra": "Geom.",
    "sig": "Sig.",
    "signor": "Sig.",
    "signore": "Sig.",
    "sig.ra": "Sig.ra",
    "sigra": "Sig.ra",
    "signora": "Sig.ra",
    "sig.na": "Sig.na",
    "signorina": "Sig.na",
    "avv": "Avv.",
    "avvocato": "Avv.",
    "arch": "Arch.",
    "architetto": "Arch.",
    "rag": "Rag.",
    "ragioniere": "Rag.",
    "prof": "Prof.",
    "professor": "Prof.",
    "professore": "Prof.",
    "prof.ssa": "Prof.ssa",
    "professoressa": "Prof.ssa",
    "p.i": "P.I.",
    "per.ind": "P.I.",
    "mr": "Mr",
    "mrs": "Mrs",
    "ms": "Ms",
    "miss": "Miss",
    "mx": "Mx",
    "doctor": "Dr",
}


def _title(word: str) -> str | None:
    return TITLES.get(word.lower().rstrip("."))


def form_of_address(customer: Customer) -> str:
    """How the text greets the contact: "Ing. Bianchi", "Mr Smith", "Giulia"; empty when unknown."""
    if customer.form_of_address.strip():
        return to_gsm7(" ".join(customer.form_of_address.split()))
    words = to_gsm7(customer.contact_name).split()
    titles = []
    while words and (title := _title(words[0])) is not None:
        titles.append(title)
        words.pop(0)
    if not titles:
        return words[0] if words else ""
    if not words:
        return ""
    # "Dott. Mario De Luca" -> "Dott. De Luca": the surname is everything after the first name.
    surname = " ".join(words[1:]) if len(words) > 1 else words[0]
    return f"{titles[0]} {surname}"


def _phone(branch: Branch) -> str:
    return phonenumbers.format_number(branch.phone, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _local_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _context(incident: Incident) -> dict[str, str]:
    machine = incident.replacement_machine or incident.broken_machine
    return {
        "name": form_of_address(incident.rental.customer),
        "machine": to_gsm7(machine.category.display_name),
        "broken": to_gsm7(incident.broken_machine.category.display_name),
        "technician": to_gsm7(incident.technician.first_name) if incident.technician else "",
        "time": _local_time(incident.current_eta) if incident.current_eta else "",
        "phone": _phone(incident.rental.branch),
        "branch": to_gsm7(incident.rental.branch.name),
    }


# Each kind: (full text, shorter text without the machine) -> rendered with the context.
Texts = Callable[[Incident], tuple[str, str]]


def _acknowledgement(incident: Incident) -> tuple[str, str]:
    return (
        gettext(
            "%(name)s, we are very sorry your %(broken)s has broken down. We are already organising help "
            "and will text you the arrival time shortly. Questions: %(phone)s"
        ),
        gettext(
            "%(name)s, we are very sorry for the breakdown. We are already organising help and will text "
            "you the arrival time shortly. Questions: %(phone)s"
        ),
    )


def _proactive_context(incident: Incident) -> dict[str, str]:
    return {
        # "Via Roma 12, Sesto San Giovanni" -> "Via Roma 12": the street is what the customer knows.
        "site": to_gsm7(incident.rental.site_address.split(",")[0].strip()),
        "fault": to_gsm7(incident.fault_text) or gettext("a fault"),
        "fault_time": _local_time(incident.fault_at or incident.reported_at),
        "time": _local_time(incident.customer_told_eta) if incident.customer_told_eta else "",
    }


def _proactive(incident: Incident) -> tuple[str, str]:
    if incident.customer_told_eta is None:
        return (
            gettext(
                "%(name)s, your %(broken)s at %(site)s reported a fault at %(fault_time)s (%(fault)s): we "
                "are already organising help and will text you the arrival time shortly. Questions: %(phone)s"
            ),
            gettext(
                "%(name)s, your machine at %(site)s reported a fault at %(fault_time)s: we are already "
                "organising help and will text you the arrival time shortly. Questions: %(phone)s"
            ),
        )
    return (
        gettext(
            "%(name)s, your %(broken)s at %(site)s reported a fault at %(fault_time)s (%(fault)s): we are "
            "already preparing a replacement, expected at about %(time)s. Questions: %(phone)s"
        ),
        gettext(
            "%(name)s, your machine at %(site)s reported a fault at %(fault_time)s: we are already "
            "preparing a replacement, expected at about %(time)s. Questions: %(phone)s"
        ),
    )


def _eta(incident: Incident) -> tuple[str, str]:
    # Ends with the answers the customer may text back (notifications.replies reads them).
    if incident.replacement_machine is None:
        return (
            gettext(
                "%(name)s, %(technician)s is coming to repair your %(broken)s at about %(time)s. "
                "Branch: %(phone)s. Follow: %(link)s Reply 1 if someone will be there, 2 if it works again"
            ),
            gettext(
                "%(name)s, %(technician)s is coming to repair it at about %(time)s. Branch: %(phone)s. "
                "Follow: %(link)s Reply 1 if someone will be there, 2 if it works again"
            ),
        )
    return (
        gettext(
            "%(name)s, a replacement %(machine)s is on its way: %(technician)s will be with you at about "
            "%(time)s. Branch: %(phone)s. Follow: %(link)s Reply 1 if someone will receive it, 2 if it "
            "works again"
        ),
        gettext(
            "%(name)s, your replacement is on its way: %(technician)s will be with you at about %(time)s. "
            "Branch: %(phone)s. Follow: %(link)s Reply 1 if someone will receive it, 2 if it works again"
        ),
    )


def _delay(incident: Incident) -> tuple[str, str]:
    text = gettext(
        "%(name)s, we are sorry: we are running late. %(technician)s will now be with you at about "
        "%(time)s. Questions: %(phone)s"
    )
    return text, text


def _arrival(incident: Incident) -> tuple[str, str]:
    return (
        gettext(
            "%(name)s, %(technician)s is on site now with your %(machine)s. Anything you need: %(phone)s"
        ),
        gettext("%(name)s, %(technician)s is on site now. Anything you need: %(phone)s"),
    )


def _last_mile(incident: Incident) -> tuple[str, str]:
    text = gettext(
        "%(name)s, %(technician)s will be with you in about %(minutes)s minutes. Branch: %(phone)s"
    )
    return text, text


def _recovered(incident: Incident) -> tuple[str, str]:
    text = gettext(
        "%(name)s, you are up and running again. Thank you for your patience, and sorry again for the "
        "trouble. Anything else: %(phone)s"
    )
    return text, text


def _survey(incident: Incident) -> tuple[str, str]:
    text = gettext(
        "%(name)s, from 0 to 10, how likely are you to recommend us to a colleague? Just reply with a "
        "number. To talk to us: %(phone)s"
    )
    return text, text


def _cancelled(incident: Incident) -> tuple[str, str]:
    return (
        gettext(
            "%(name)s, we have cancelled the visit for your %(broken)s: nobody will come to the site. "
            "If this is a mistake, call us on %(phone)s"
        ),
        gettext(
            "%(name)s, we have cancelled the visit: nobody will come to the site. If this is a mistake, "
            "call us on %(phone)s"
        ),
    )


def _minutes_away(incident: Incident) -> int:
    """Minutes from the crew's last ping to the expected arrival recovery planned from it, rounded up."""
    technician = incident.technician
    pinged = technician.position_updated_at if technician else None
    if incident.expected_eta is None or pinged is None:
        return int(settings.PRONTO["LAST_MILE_MINUTES"])
    return max(1, ceil((incident.expected_eta - pinged).total_seconds() / 60))


_TEXTS: dict[str, Texts] = {
    MessageKind.ACKNOWLEDGEMENT: _acknowledgement,
    MessageKind.PROACTIVE: _proactive,
    MessageKind.ETA: _eta,
    MessageKind.DELAY: _delay,
    MessageKind.LAST_MILE: _last_mile,
    MessageKind.ARRIVAL: _arrival,
    MessageKind.RECOVERED: _recovered,
    MessageKind.SURVEY: _survey,
    MessageKind.CANCELLED: _cancelled,
}


def _cut(value: str) -> str:
    return value if len(value) <= SHORT_VALUE_CHARS else value[:SHORT_VALUE_CHARS].rstrip()


def _render(template: str, context: dict[str, str]) -> str:
    if not context["name"]:
        # Nobody to name: a plain greeting keeps the sentence whole.
        context = {**context, "name": gettext("Hello")}
    return template % context


def fit_two_segments(full: str, short: str, context: dict[str, str]) -> str:
    """The first reading that fits two GSM-7 segments: the full text, the text without the
    machine, then the same with long names and machines cut. The phone, the time and the link
    are never cut: they are what the customer acts on."""
    cut = {key: _cut(value) for key, value in context.items() if key in ("name", "technician", "branch")}
    for template, values in ((full, context), (short, context), (short, {**context, **cut})):
        text = _render(template, values)
        if segment_count(text)[1] <= MAX_SEGMENTS:
            return text
    return text


def incident_message_text(*, incident: Incident, kind: str) -> str:
    customer = incident.rental.customer
    with translation.override(customer.language):
        context = _context(incident)
        if kind == MessageKind.ETA:
            context["link"] = tracking_url(incident_id=incident.pk)
        if kind == MessageKind.PROACTIVE:
            context.update(_proactive_context(incident))
        if kind == MessageKind.LAST_MILE:
            context["minutes"] = str(_minutes_away(incident))
        full, short = _TEXTS[MessageKind(kind)](incident)
        return fit_two_segments(full, short, context)


def help_text(*, customer: Customer, branch: Branch) -> str:
    context = {"name": form_of_address(customer), "branch": to_gsm7(branch.name), "phone": _phone(branch)}
    with translation.override(customer.language):
        text = gettext(
            "To talk to us, call our %(branch)s branch on %(phone)s. Reply STOP to stop these texts."
        )
        return fit_two_segments(text, text, context)


def channel_chosen_text(*, customer: Customer, channel: str) -> str:
    """The answer to WHATSAPP or SMS: where our texts go from now on, and how to change back."""
    with translation.override(customer.language):
        if channel == "whatsapp":
            text = gettext(
                "%(name)s, from now on we write to you on WhatsApp. Reply SMS to go back to texts."
            )
        else:
            text = gettext(
                "%(name)s, from now on we write to you by SMS. Reply WHATSAPP to hear from us there."
            )
        return fit_two_segments(text, text, {"name": form_of_address(customer)})


def gsm_friendly(text: str) -> str:
    """A dispatcher's own words, spelled in GSM-7 so that one curly apostrophe does not double the cost."""
    return to_gsm7(text)
