"""Every text fits two GSM-7 segments and names a way to a person, whatever the demo's data.

Built on unsaved model instances: the texts read only the incident, its rental and machines."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumber_field.phonenumber import PhoneNumber

from fleet.demo import BRANCHES, CATEGORIES, ENGLISH_CONTACTS, FIRST_NAMES, LAST_NAMES
from fleet.models import Branch, Customer, Machine, MachineCategory, Rental, Technician
from notifications.messages import incident_message_text
from notifications.models import MessageKind
from notifications.segments import GSM7, segment_count
from recovery.models import Incident

KINDS = [
    MessageKind.ACKNOWLEDGEMENT,
    MessageKind.ETA,
    MessageKind.DELAY,
    MessageKind.LAST_MILE,
    MessageKind.ARRIVAL,
    MessageKind.RECOVERED,
    MessageKind.SURVEY,
    MessageKind.CANCELLED,
]
TITLES = ["", "Dott.", "Dott.ssa", "Ing.", "Geom.", "Sig.", "Sig.ra", "Avv.", "Arch.", "Mr", "Mrs", "Dr"]
# What real contact sheets hold beyond the demo's plain names.
ODD_NAMES = [
    "Zoë Łukasz-Ōtani",
    "José María Nuñez de la Peña",
    "Ålesund Ærø",
    "Nguyễn Thị Minh Khai",
    "王 伟",
]

names = st.one_of(
    st.builds(
        lambda first, last: f"{first} {last}", st.sampled_from(FIRST_NAMES), st.sampled_from(LAST_NAMES)
    ),
    st.sampled_from(ENGLISH_CONTACTS + ODD_NAMES),
    st.text(min_size=1, max_size=120),
)
technicians = st.one_of(st.sampled_from(FIRST_NAMES), st.text(min_size=1, max_size=150))


def incident_for(*, contact: str, language: str, category: str, branch: tuple, technician: str, repair: bool):
    name, address, lat, lon, phone, _ = branch
    branch = Branch(name=name, address=address, lat=lat, lon=lon, phone=PhoneNumber.from_string(phone))
    machine = Machine(category=MachineCategory(name=category), home_branch=branch)
    customer = Customer(contact_name=contact, language=language, mobile="+393471234567")
    rental = Rental(customer=customer, machine=machine, branch=branch)
    return Incident(
        pk=987654,
        rental=rental,
        broken_machine=machine,
        replacement_machine=None if repair else Machine(category=MachineCategory(name=category)),
        technician=Technician(user=get_user_model()(first_name=technician)),
        current_eta=timezone.now() + timedelta(minutes=95),
    )


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None)
@given(
    contact=st.builds(lambda title, name: f"{title} {name}".strip(), st.sampled_from(TITLES), names),
    language=st.sampled_from(["it", "en"]),
    category=st.sampled_from([name for _, name, _, _ in CATEGORIES]) | st.text(min_size=1, max_size=120),
    branch=st.sampled_from(BRANCHES),
    technician=technicians,
    repair=st.booleans(),
)
def test_every_text_fits_two_gsm7_segments_and_gives_a_way_to_a_person(
    kind, contact, language, category, branch, technician, repair
):
    incident = incident_for(
        contact=contact,
        language=language,
        category=category,
        branch=branch,
        technician=technician,
        repair=repair,
    )
    text = incident_message_text(incident=incident, kind=kind)
    encoding, segments = segment_count(text)
    assert (encoding, segments <= 2) == (GSM7, True), text
    phone = PhoneNumber.from_string(branch[4]).as_international
    assert phone in text or "/t/" in text, text
    if kind == MessageKind.ETA:
        assert timezone.localtime(incident.current_eta).strftime("%H:%M") in text
        assert "/t/" in text


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_demo_data_keep_the_machine_in_the_text(kind, language):
    """Shortening is for outliers: with the demo's names and categories nothing is dropped."""
    for _, category, _, _ in CATEGORIES:
        incident = incident_for(
            contact="Dott. Massimiliano Bartolomei",
            language=language,
            category=category,
            branch=BRANCHES[0],
            technician="Alessandro",
            repair=False,
        )
        text = incident_message_text(incident=incident, kind=kind)
        assert text.startswith("Dott. Bartolomei, ")
        if kind in (MessageKind.ACKNOWLEDGEMENT, MessageKind.ETA, MessageKind.ARRIVAL, MessageKind.CANCELLED):
            assert category.replace("–", "-").replace("³", "3") in text
        assert segment_count(text)[1] <= 2


def test_air_compressor_cubic_metres_are_spelled_in_gsm7():
    incident = incident_for(
        contact="Giulia Rossi",
        language="it",
        category="Air compressor 5 m³/min",
        branch=BRANCHES[0],
        technician="Luca",
        repair=False,
    )
    text = incident_message_text(incident=incident, kind=MessageKind.ETA)
    assert "Air compressor 5 m3/min" in text
    assert segment_count(text)[0] == GSM7


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("it", ["la macchina sostitutiva", "è in viaggio", "Filiale:", "Segua"]),
        ("en", ["a replacement", "is on its way", "Branch:", "Follow"]),
    ],
)
def test_the_text_is_in_the_customers_language(language, words):
    incident = incident_for(
        contact="Giulia Rossi",
        language=language,
        category="Telehandler 7 m",
        branch=BRANCHES[0],
        technician="Luca",
        repair=False,
    )
    with translation.override("en" if language == "it" else "it"):
        text = incident_message_text(incident=incident, kind=MessageKind.ETA)
    assert all(word in text for word in words), text
