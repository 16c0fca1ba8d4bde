"""Customers are greeted as people use their names: titles keep the surname, a stored form of address wins."""

import pytest

from fleet.models import Customer
from notifications.messages import form_of_address
from notifications.models import Message, MessageKind
from tests.notifications.helpers import logged_incident


@pytest.mark.parametrize(
    ("contact_name", "greeting"),
    [
        ("Giulia Rossi", "Giulia"),
        ("Dott. Mario Rossi", "Dott. Rossi"),
        ("dott mario rossi", "Dott. rossi"),
        ("Dott.ssa Anna De Luca", "Dott.ssa De Luca"),
        ("Ing. Paolo Bianchi", "Ing. Bianchi"),
        ("Geom. Luca Verdi", "Geom. Verdi"),
        ("Sig. Franco Neri", "Sig. Neri"),
        ("Sig.ra Maria Esposito", "Sig.ra Esposito"),
        ("Signora Maria Esposito", "Sig.ra Esposito"),
        ("Avv. Carla Romano", "Avv. Romano"),
        ("Arch. Elena Conti", "Arch. Conti"),
        ("Mr John Smith", "Mr Smith"),
        ("Mrs. Emily Clarke", "Mrs Clarke"),
        ("Dr Oliver Bennett", "Dr Bennett"),
        ("Ing. Bianchi", "Ing. Bianchi"),
        ("Dott.", ""),
        ("", ""),
        ("Zoë Ōtani", "Zoe"),
    ],
)
def test_titles_and_honorifics_are_not_first_names(contact_name, greeting):
    assert form_of_address(Customer(contact_name=contact_name)) == greeting


def test_a_stored_form_of_address_is_used_as_it_is():
    customer = Customer(contact_name="Dott. Mario Rossi", form_of_address="Mario")
    assert form_of_address(customer) == "Mario"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "start"),
    [("it", "Ing. Bianchi, ci dispiace molto"), ("en", "Ing. Bianchi, we are very sorry")],
)
def test_the_apology_greets_a_titled_contact_by_title_and_surname(language, start):
    incident = logged_incident(language=language, contact_name="Ing. Paolo Bianchi")
    body = Message.objects.get(incident=incident, kind=MessageKind.ACKNOWLEDGEMENT).body
    assert body.startswith(start), body


@pytest.mark.django_db
def test_a_contact_without_a_usable_name_is_greeted_in_their_language():
    incident = logged_incident(language="it", contact_name="Dott.")
    body = Message.objects.get(incident=incident, kind=MessageKind.ACKNOWLEDGEMENT).body
    assert body.startswith("Buongiorno, ci dispiace molto"), body
