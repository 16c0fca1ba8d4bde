"""A believable Italian rental company for demos, tests of scale and benchmarks.

Deterministic for a given seed. Machines are written with PostgreSQL's COPY when available,
because the benchmarks need a million of them in well under two minutes."""

import csv
import io
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from core.roles import ADMIN, ALL_ROLES, DISPATCHER, MANAGER, TECHNICIAN
from fleet.models import (
    Branch,
    CategorySubstitute,
    Customer,
    Language,
    Machine,
    MachineCategory,
    MachineStatus,
    Rental,
    Technician,
)

DEMO_PASSWORD = "pronto"  # noqa: S105 - printed by `make run`; demo data only

# (name, address, lat, lon, phone, average road speed km/h): real cities, real coordinates.
BRANCHES = [
    ("Milano", "Via Novara 89, 20153 Milano MI", 45.4773, 9.1025, "+39 02 4870 1100", 45),
    ("Torino", "Corso Giulio Cesare 300, 10154 Torino TO", 45.1061, 7.7008, "+39 011 2620 200", 50),
    ("Genova", "Via Perlasca 14, 16158 Genova GE", 44.4279, 8.8042, "+39 010 6133 300", 42),
    ("Bergamo", "Via Grumello 61, 24127 Bergamo BG", 45.6850, 9.6480, "+39 035 4541 400", 52),
    ("Brescia", "Via Orzinuovi 110, 25125 Brescia BS", 45.5201, 10.1904, "+39 030 3533 500", 55),
    ("Verona", "Via Esperia 30, 37135 Verona VR", 45.4080, 10.9734, "+39 045 8203 600", 58),
    ("Venezia Mestre", "Via Ca' Marcello 10, 30172 Mestre VE", 45.4847, 12.2290, "+39 041 5310 700", 52),
    ("Padova", "Corso Stati Uniti 18, 35127 Padova PD", 45.3856, 11.9370, "+39 049 7623 800", 55),
    ("Bologna", "Via del Lavoro 60, 40127 Bologna BO", 44.5158, 11.3770, "+39 051 6372 900", 55),
    ("Firenze", "Via Pratese 140, 50145 Firenze FI", 43.8004, 11.1950, "+39 055 3024 100", 45),
    ("Pisa", "Via Emilia 420, 56121 Pisa PI", 43.6955, 10.4510, "+39 050 9821 200", 55),
    ("Ancona", "Via Sandro Totti 5, 60131 Ancona AN", 43.5963, 13.5128, "+39 071 2863 300", 55),
    ("Perugia", "Via Settevalli 320, 06129 Perugia PG", 43.0886, 12.3740, "+39 075 5057 400", 50),
    ("Roma", "Via Tiburtina 1020, 00156 Roma RM", 41.9236, 12.5918, "+39 06 4120 5500", 40),
    ("Pescara", "Via Tiburtina Valeria 300, 65128 Pescara PE", 42.4496, 14.1833, "+39 085 4313 600", 58),
    ("Napoli", "Via Argine 425, 80147 Napoli NA", 40.8626, 14.3277, "+39 081 5590 700", 38),
    ("Bari", "Viale Lindemann 5, 70132 Bari BA", 41.0949, 16.8201, "+39 080 5371 800", 55),
    ("Palermo", "Via Ugo La Malfa 80, 90146 Palermo PA", 38.1440, 13.3250, "+39 091 6883 900", 45),
    (
        "Catania",
        "Zona Industriale Blocco Palma I, 95121 Catania CT",
        37.4540,
        15.0330,
        "+39 095 2915 100",
        52,
    ),
    ("Cagliari", "Viale Elmas 140, 09122 Cagliari CA", 39.2396, 9.0786, "+39 070 2102 200", 55),
]

# (code, name, make/model family, substitutes in the customer's order of preference)
CATEGORIES = [
    ("micro-excavator", "Micro excavator 0.8–1.2 t", "mini_ex", ["mini-excavator-2t"]),
    ("mini-excavator-2t", "Mini excavator 1.5–2 t", "mini_ex", ["mini-excavator-3t", "midi-excavator-5t"]),
    ("mini-excavator-3t", "Mini excavator 2.5–3.5 t", "mini_ex", ["midi-excavator-5t"]),
    ("midi-excavator-5t", "Midi excavator 5–6 t", "mini_ex", ["midi-excavator-8t"]),
    (
        "midi-excavator-8t",
        "Midi excavator 7.5–9 t",
        "excavator",
        ["crawler-excavator-14t", "wheeled-excavator-15t"],
    ),
    ("crawler-excavator-14t", "Crawler excavator 13–16 t", "excavator", ["crawler-excavator-22t"]),
    ("crawler-excavator-22t", "Crawler excavator 20–25 t", "excavator", []),
    ("wheeled-excavator-15t", "Wheeled excavator 14–16 t", "excavator", ["crawler-excavator-14t"]),
    ("backhoe-loader", "Backhoe loader", "loader", []),
    ("skid-steer", "Skid steer loader", "loader", ["compact-track-loader"]),
    ("compact-track-loader", "Compact track loader", "loader", ["skid-steer"]),
    ("wheel-loader-compact", "Compact wheel loader", "loader", ["wheel-loader"]),
    ("wheel-loader", "Wheel loader 10–15 t", "loader", []),
    ("dumper-1t", "Site dumper 1 t", "dumper", ["dumper-3t"]),
    ("dumper-3t", "Site dumper 3 t", "dumper", ["dumper-6t"]),
    ("dumper-6t", "Site dumper 6 t", "dumper", []),
    ("telehandler-7m", "Telehandler 7 m", "telehandler", ["telehandler-14m"]),
    ("telehandler-14m", "Telehandler 14 m", "telehandler", ["telehandler-rotating-18m"]),
    ("telehandler-rotating-18m", "Rotating telehandler 18 m", "telehandler", []),
    ("scissor-lift-8m", "Electric scissor lift 8 m", "lift", ["scissor-lift-10m"]),
    ("scissor-lift-10m", "Electric scissor lift 10 m", "lift", ["scissor-lift-rt-12m"]),
    ("scissor-lift-rt-12m", "Rough-terrain scissor lift 12 m", "lift", []),
    ("boom-lift-12m", "Articulating boom lift 12 m", "lift", ["boom-lift-16m"]),
    ("boom-lift-16m", "Articulating boom lift 16 m", "lift", ["boom-lift-20m"]),
    ("boom-lift-20m", "Telescopic boom lift 20 m", "lift", []),
    ("generator-20kva", "Generator 20 kVA", "generator", ["generator-60kva"]),
    ("generator-60kva", "Generator 60 kVA", "generator", ["generator-100kva"]),
    ("generator-100kva", "Generator 100 kVA", "generator", ["generator-250kva"]),
    ("generator-250kva", "Generator 250 kVA", "generator", []),
    ("air-compressor", "Air compressor 5 m³/min", "compressor", []),
]

# The same categories as an Italian desk and an Italian customer call them.
CATEGORY_NAMES_IT = {
    "micro-excavator": "Microescavatore 0,8–1,2 t",
    "mini-excavator-2t": "Miniescavatore 1,5–2 t",
    "mini-excavator-3t": "Miniescavatore 2,5–3,5 t",
    "midi-excavator-5t": "Midiescavatore 5–6 t",
    "midi-excavator-8t": "Midiescavatore 7,5–9 t",
    "crawler-excavator-14t": "Escavatore cingolato 13–16 t",
    "crawler-excavator-22t": "Escavatore cingolato 20–25 t",
    "wheeled-excavator-15t": "Escavatore gommato 14–16 t",
    "backhoe-loader": "Terna",
    "skid-steer": "Minipala gommata",
    "compact-track-loader": "Minipala cingolata",
    "wheel-loader-compact": "Pala gommata compatta",
    "wheel-loader": "Pala gommata 10–15 t",
    "dumper-1t": "Dumper da cantiere 1 t",
    "dumper-3t": "Dumper da cantiere 3 t",
    "dumper-6t": "Dumper da cantiere 6 t",
    "telehandler-7m": "Sollevatore telescopico 7 m",
    "telehandler-14m": "Sollevatore telescopico 14 m",
    "telehandler-rotating-18m": "Sollevatore telescopico rotativo 18 m",
    "scissor-lift-8m": "Piattaforma a forbice elettrica 8 m",
    "scissor-lift-10m": "Piattaforma a forbice elettrica 10 m",
    "scissor-lift-rt-12m": "Piattaforma a forbice fuoristrada 12 m",
    "boom-lift-12m": "Piattaforma articolata 12 m",
    "boom-lift-16m": "Piattaforma articolata 16 m",
    "boom-lift-20m": "Piattaforma telescopica 20 m",
    "generator-20kva": "Generatore 20 kVA",
    "generator-60kva": "Generatore 60 kVA",
    "generator-100kva": "Generatore 100 kVA",
    "generator-250kva": "Generatore 250 kVA",
    "air-compressor": "Motocompressore 5 m³/min",
}

MAKES = {
    "mini_ex": [("Kubota", "KX019-4"), ("Yanmar", "SV26"), ("Takeuchi", "TB230"), ("JCB", "19C-1")],
    "excavator": [("Caterpillar", "315"), ("Volvo", "EC220E"), ("Komatsu", "PC138US"), ("Hitachi", "ZX140W")],
    "loader": [("Bobcat", "S450"), ("Caterpillar", "259D3"), ("Volvo", "L30G"), ("JCB", "3CX")],
    "dumper": [("Thwaites", "MACH 2090"), ("Wacker Neuson", "DW60"), ("Ausa", "D350AHG")],
    "telehandler": [
        ("Manitou", "MT 1440"),
        ("Merlo", "P40.17"),
        ("JCB", "540-170"),
        ("Dieci", "Pegasus 40.18"),
    ],
    "lift": [("Genie", "GS-3246"), ("JLG", "450AJ"), ("Haulotte", "HA16 RTJ"), ("Skyjack", "SJ4632")],
    "generator": [("Atlas Copco", "QAS 60"), ("Pramac", "GBW 22"), ("Himoinsa", "HRYW-100")],
    "compressor": [("Atlas Copco", "XAS 88"), ("Kaeser", "M50")],
}

FIRST_NAMES = [
    "Marco",
    "Giulia",
    "Luca",
    "Francesca",
    "Alessandro",
    "Chiara",
    "Matteo",
    "Sara",
    "Lorenzo",
    "Valentina",
    "Andrea",
    "Elena",
    "Davide",
    "Martina",
    "Simone",
    "Federica",
    "Stefano",
    "Paola",
    "Giuseppe",
    "Anna",
    "Roberto",
    "Silvia",
    "Antonio",
    "Laura",
    "Riccardo",
    "Elisa",
    "Fabio",
    "Giorgia",
    "Paolo",
    "Ilaria",
    "Salvatore",
    "Beatrice",
    "Vincenzo",
    "Alessia",
    "Nicola",
]
LAST_NAMES = [
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Serra",
]
ENGLISH_CONTACTS = [
    "James Walker",
    "Emily Clarke",
    "Oliver Bennett",
    "Sophie Turner",
    "Daniel Hughes",
    "Hannah Price",
    "Thomas Reid",
    "Charlotte Hayes",
]
COMPANY_KINDS = [
    "Costruzioni",
    "Edilizia",
    "Impresa Edile",
    "Scavi e Movimento Terra",
    "Impianti",
    "Restauri",
    "Infrastrutture",
    "Strade e Asfalti",
    "Eventi e Allestimenti",
    "Ponteggi",
]
COMPANY_SUFFIXES = ["S.r.l.", "S.p.A.", "S.n.c.", "& Figli S.r.l.", "S.a.s."]
STREETS = [
    "Via Roma",
    "Via Garibaldi",
    "Via Mazzini",
    "Corso Italia",
    "Via Verdi",
    "Via Dante",
    "Via dell'Industria",
    "Via Matteotti",
    "Via Cavour",
    "Viale Europa",
    "Via dei Mille",
]
# Italian mobile prefixes (TIM, Vodafone, WindTre, Iliad) that phonenumbers accepts.
MOBILE_PREFIXES = [
    "320",
    "328",
    "329",
    "333",
    "335",
    "338",
    "340",
    "345",
    "347",
    "348",
    "349",
    "366",
    "380",
    "389",
    "392",
]

# Shares of the fleet by status; a rental company keeps roughly a fifth of it on the yard.
STATUS_SHARES = [
    (MachineStatus.AVAILABLE, 0.22),
    (MachineStatus.ON_RENT, 0.63),
    (MachineStatus.IN_REPAIR, 0.10),
    (MachineStatus.RETIRED, 0.05),
]

MACHINE_COLUMNS = [
    "fleet_number",
    "serial_number",
    "pin",
    "category_id",
    "make",
    "model",
    "status",
    "home_branch_id",
    "lat",
    "lon",
    "position_updated_at",
    "hour_meter",
]


@dataclass
class SeedReport:
    branches: int
    categories: int
    machines: int
    customers: int
    rentals: int
    technicians: int


def _offset(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    """A point `km` away on `bearing_deg`; flat-earth is plenty for a few tens of km."""
    bearing = math.radians(bearing_deg)
    dlat = km * math.cos(bearing) / 111.32
    dlon = km * math.sin(bearing) / (111.32 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _mobile(rng: random.Random) -> str:
    while True:
        number = f"+39{rng.choice(MOBILE_PREFIXES)}{rng.randint(1000000, 9999999)}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def _status(rng: random.Random) -> str:
    roll = rng.random()
    for status, share in STATUS_SHARES:
        if roll < share:
            return status
        roll -= share
    return MachineStatus.AVAILABLE


def ensure_role_groups() -> dict[str, Group]:
    return {name: Group.objects.get_or_create(name=name)[0] for name in ALL_ROLES}


def _create_branches() -> list[Branch]:
    return [
        Branch.objects.create(
            name=name, address=address, lat=lat, lon=lon, phone=phone, average_road_speed_kmh=speed
        )
        for name, address, lat, lon, phone, speed in BRANCHES
    ]


def _create_categories() -> dict[str, MachineCategory]:
    categories = {
        code: MachineCategory.objects.create(code=code, name=name, name_it=CATEGORY_NAMES_IT[code])
        for code, name, _, _ in CATEGORIES
    }
    CategorySubstitute.objects.bulk_create(
        CategorySubstitute(category=categories[code], substitute=categories[sub], preference=rank)
        for code, _, _, substitutes in CATEGORIES
        for rank, sub in enumerate(substitutes, start=1)
    )
    return categories


def demo_pin(*, number: int, make: str) -> str:
    """Three machines in five report through their maker's telematics; they carry a PIN (17
    characters, maker first). Derived from the fleet number, so the rest of the demo stays the same."""
    if number % 5 >= 3:
        return ""
    return f"{make[:3].upper():X<3}DEMO{number:010d}"


def _machine_rows(rng, count, branches, categories, now):
    category_ids = [(categories[code].id, family) for code, _, family, _ in CATEGORIES]
    stamp = now.isoformat()
    for number in range(1, count + 1):
        category_id, family = rng.choice(category_ids)
        make, model = rng.choice(MAKES[family])
        branch = rng.choice(branches)
        status = _status(rng)
        if status == MachineStatus.ON_RENT:
            lat, lon = _offset(branch.lat, branch.lon, rng.uniform(3, 45), rng.uniform(0, 360))
        else:
            lat, lon = _offset(branch.lat, branch.lon, rng.uniform(0, 1.5), rng.uniform(0, 360))
        yield (
            f"PR{number:07d}",
            f"SN{rng.randint(10**8, 10**9 - 1)}",
            demo_pin(number=number, make=make),
            category_id,
            make,
            model,
            status,
            branch.id,
            lat,
            lon,
            stamp,
            round(rng.uniform(10, 9000), 1),
        )


def _insert_machines(rows) -> None:
    if connection.vendor == "postgresql":
        chunk = 100_000
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        written = 0
        with connection.cursor() as cursor:
            for row in rows:
                writer.writerow(row)
                written += 1
                if written % chunk == 0:
                    _copy(cursor, buffer)
                    buffer = io.StringIO()
                    writer = csv.writer(buffer)
            _copy(cursor, buffer)
        return
    batch = []
    for row in rows:
        batch.append(Machine(**dict(zip(MACHINE_COLUMNS, row, strict=True))))
        if len(batch) == 5000:
            Machine.objects.bulk_create(batch)
            batch = []
    Machine.objects.bulk_create(batch)


def _copy(cursor, buffer: io.StringIO) -> None:
    buffer.seek(0)
    columns = ", ".join(MACHINE_COLUMNS)
    # FORCE_NOT_NULL: an empty PIN is the empty string, not NULL.
    cursor.cursor.copy_expert(
        f"COPY fleet_machine ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (pin))", buffer
    )


def _create_customers(rng: random.Random, count: int) -> list[Customer]:
    customers = []
    for index in range(count):
        english = index % 10 == 7
        if english:
            contact = ENGLISH_CONTACTS[index % len(ENGLISH_CONTACTS)]
        else:
            contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        company = f"{rng.choice(COMPANY_KINDS)} {rng.choice(LAST_NAMES)} {rng.choice(COMPANY_SUFFIXES)}"
        customers.append(
            Customer(
                company=company,
                contact_name=contact,
                mobile=_mobile(rng),
                language=Language.ENGLISH if english else Language.ITALIAN,
            )
        )
    return Customer.objects.bulk_create(customers)


def _create_rentals(rng, customers, branches, now) -> list[Rental]:
    """Every demo customer has one to three machines out on a job site near a branch."""
    by_branch = {branch.id: branch for branch in branches}
    on_rent = list(
        Machine.objects.filter(status=MachineStatus.ON_RENT)
        .order_by("id")
        .values_list("id", "home_branch_id", "lat", "lon")[: len(customers) * 3]
    )
    rng.shuffle(on_rent)
    rentals = []
    for customer in customers:
        for _ in range(rng.randint(1, 3)):
            if not on_rent:
                break
            machine_id, branch_id, lat, lon = on_rent.pop()
            town = by_branch[branch_id].name
            rentals.append(
                Rental(
                    customer=customer,
                    machine_id=machine_id,
                    branch_id=branch_id,
                    site_address=f"{rng.choice(STREETS)} {rng.randint(1, 180)}, {town}",
                    site_lat=lat,
                    site_lon=lon,
                    starts_at=now - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 9)),
                    ends_at=now + timedelta(days=rng.randint(2, 60)),
                    recovery_sla_hours=rng.choice([2, 4, 4, 4, 6, 8]),
                )
            )
    return Rental.objects.bulk_create(rentals)


def _create_technicians(rng, branches, categories, groups, per_branch) -> list[Technician]:
    User = get_user_model()
    all_categories = list(categories.values())
    technicians = []
    for branch in branches:
        for number in range(1, per_branch + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            user = User(
                username=f"{branch.name.split()[0].lower()}.tech{number}",
                first_name=first,
                last_name=last,
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(groups[TECHNICIAN])
            lat, lon = _offset(branch.lat, branch.lon, rng.uniform(0, 8), rng.uniform(0, 360))
            technician = Technician.objects.create(
                user=user,
                home_branch=branch,
                on_shift=number != per_branch,  # one per branch is off shift
                lat=lat,
                lon=lon,
                position_updated_at=timezone.now(),
            )
            technician.skills.set(rng.sample(all_categories, k=rng.randint(12, len(all_categories))))
            technicians.append(technician)
    return technicians


def _create_demo_users(groups, branches, categories) -> None:
    User = get_user_model()
    people = {
        DISPATCHER: ("Chiara", "Bassi"),
        TECHNICIAN: ("Luca", "Ferri"),
        MANAGER: ("Paola", "Riva"),
        ADMIN: ("Admin", "Pronto"),
    }
    for role, (first, last) in people.items():
        user, _ = User.objects.get_or_create(username=role, defaults={"first_name": first, "last_name": last})
        user.set_password(DEMO_PASSWORD)
        user.is_staff = role == ADMIN
        user.is_superuser = role == ADMIN
        user.save()
        user.groups.add(groups[role])
    milano = branches[0]
    technician, _ = Technician.objects.get_or_create(
        user=User.objects.get(username=TECHNICIAN),
        defaults={"home_branch": milano, "on_shift": True, "lat": milano.lat, "lon": milano.lon},
    )
    technician.skills.set(categories.values())


@transaction.atomic
def seed_demo(
    *,
    seed: int = 7,
    machines: int = 1500,
    customers: int = 60,
    technicians_per_branch: int = 3,
    now: datetime | None = None,
) -> SeedReport:
    """Build the demo company into an empty database."""
    rng = random.Random(seed)
    now = now or timezone.now()
    groups = ensure_role_groups()
    branches = _create_branches()
    categories = _create_categories()
    _insert_machines(_machine_rows(rng, machines, branches, categories, now))
    customer_rows = _create_customers(rng, customers)
    rentals = _create_rentals(rng, customer_rows, branches, now)
    technicians = _create_technicians(rng, branches, categories, groups, technicians_per_branch)
    _create_demo_users(groups, branches, categories)
    return SeedReport(
        branches=len(branches),
        categories=len(categories),
        machines=machines,
        customers=len(customer_rows),
        rentals=len(rentals),
        technicians=len(technicians) + 1,
    )


def has_demo_data() -> bool:
    return Branch.objects.exists()
