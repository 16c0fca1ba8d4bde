"""The desk's search box finds what a person types: words in any order, no accents, a typo, Italian
or English category names, the town, the last digits of the phone; best match first, highlighted."""

import pytest

from fleet import search as fleet_search
from fleet.models import Rental, RentalStatus
from fleet.selectors import rental_search
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rentals(milano):
    padova = factories.BranchFactory(
        name="Padova", address="Corso Stati Uniti 18, Padova", lat=45.38, lon=11.93
    )
    crawler = factories.CategoryFactory(
        code="crawler-excavator-14t", name="Crawler excavator 13–16 t", name_it="Escavatore cingolato 13–16 t"
    )
    lift = factories.CategoryFactory(
        code="scissor-lift-8m",
        name="Electric scissor lift 8 m",
        name_it="Piattaforma a forbice elettrica 8 m",
    )

    def rental(company, contact, site, branch, category, fleet, mobile):
        machine = factories.MachineFactory(
            fleet_number=fleet, category=category, home_branch=branch, status="on_rent"
        )
        customer = factories.CustomerFactory(company=company, contact_name=contact, mobile=mobile)
        return factories.RentalFactory(customer=customer, machine=machine, branch=branch, site_address=site)

    return {
        "rossi": rental(
            "Impresa Edile Rossi S.r.l.",
            "Giulia Rossi",
            "Viale Europa 12, Padova",
            padova,
            crawler,
            "PR0001001",
            "+393471234567",
        ),
        "citta": rental(
            "Costruzioni Città Alta S.p.A.",
            "Marco Bianchi",
            "Via Roma 3, Bergamo",
            milano,
            lift,
            "PR0001002",
            "+393489876543",
        ),
        "rossini": rental(
            "Rossini Scavi",
            "Anna Verdi",
            "Via Milano 8, Monza",
            milano,
            crawler,
            "PR0001003",
            "+393401112233",
        ),
    }


def found(query: str) -> list[str]:
    return [r.customer.company for r in rental_search(query=query)]


@pytest.mark.parametrize(
    ("query", "company"),
    [
        ("Impresa Rossi", "Impresa Edile Rossi S.r.l."),
        ("rossi impresa", "Impresa Edile Rossi S.r.l."),
        ("via europa", "Impresa Edile Rossi S.r.l."),
        ("Padova excavator", "Impresa Edile Rossi S.r.l."),
        ("escavatore padova", "Impresa Edile Rossi S.r.l."),
        ("citta alta", "Costruzioni Città Alta S.p.A."),
        ("piattaforma bergamo", "Costruzioni Città Alta S.p.A."),
        ("9876543", "Costruzioni Città Alta S.p.A."),
        ("PR0001003", "Rossini Scavi"),
        ("Impressa Rossi", "Impresa Edile Rossi S.r.l."),  # a typo
    ],
)
def test_a_person_finds_the_rental_the_way_they_would_say_it(rentals, query, company):
    assert found(query)[0] == company


def test_every_word_must_match_somewhere(rentals):
    assert found("rossi bergamo") == []
    assert found("escavatore monza") == ["Rossini Scavi"]


def test_the_closer_match_comes_first(rentals):
    assert found("rossi")[:2] == ["Impresa Edile Rossi S.r.l.", "Rossini Scavi"]


def test_ended_rentals_are_not_offered(rentals):
    Rental.objects.filter(pk=rentals["rossi"].pk).update(status=RentalStatus.ENDED)

    assert "Impresa Edile Rossi S.r.l." not in found("Impresa Rossi")


@pytest.mark.parametrize(
    ("query", "company"),
    [
        ("Impresa Rossi", "Impresa Edile Rossi S.r.l."),
        ("via europa", "Impresa Edile Rossi S.r.l."),
        ("Padova excavator", "Impresa Edile Rossi S.r.l."),
        ("piattaforma bergamo", "Costruzioni Città Alta S.p.A."),
    ],
)
def test_the_portable_search_for_sqlite_finds_the_same(rentals, query, company):
    queryset = Rental.objects.filter(status=RentalStatus.ACTIVE)
    results = fleet_search._search_portable(
        queryset,
        words=fleet_search.words_of(query),
        prefix="",
        phone_match=fleet_search.Q(pk__in=[]),
        digits="",
    )

    assert results[0].customer.company == company


def test_highlight_marks_the_words_found_without_accents_and_escapes_the_rest():
    assert fleet_search.highlight("Costruzioni Città <Alta>", "citta alta") == (
        "Costruzioni <mark>Città</mark> &lt;<mark>Alta</mark>&gt;"
    )
