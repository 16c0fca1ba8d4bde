"""factory_boy factories: one per model, with Italian defaults a dispatcher would recognise; and
incidents, built through the recovery services up to the step a test needs."""

from datetime import datetime, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from fleet.models import (
    Branch,
    CategorySubstitute,
    Customer,
    Machine,
    MachineCategory,
    MachineStatus,
    Rental,
    Technician,
)
from recovery import services
from recovery.models import Channel, Incident, IncidentStatus, Outcome

# A small piece of Lombardy for the tests: a job site in Sesto San Giovanni and depots around it.
SITE = (45.5500, 9.2000)  # Sesto San Giovanni
MILANO = (45.4773, 9.1025)  # the Milan depot, ~11 km from the site
MONZA = (45.5845, 9.2744)  # ~7 km away
BERGAMO = (45.6850, 9.6480)  # ~38 km away


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Mario"
    last_name = "Verdi"
    password = factory.django.Password("pronto")

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("name",)

    name = "Milano"
    address = "Via Novara 89, 20153 Milano MI"
    lat, lon = MILANO
    phone = "+390248701100"
    average_road_speed_kmh = 60.0


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MachineCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())


class SubstituteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategorySubstitute

    category = factory.SubFactory(CategoryFactory)
    substitute = factory.SubFactory(CategoryFactory)
    preference = 1


class MachineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Machine

    fleet_number = factory.Sequence(lambda n: f"PR{n:07d}")
    serial_number = factory.Sequence(lambda n: f"SN{n:09d}")
    category = factory.SubFactory(CategoryFactory, code="mini-excavator-2t", name="Mini excavator 1.5–2 t")
    make = "Kubota"
    model = "KX019-4"
    status = MachineStatus.AVAILABLE
    home_branch = factory.SubFactory(BranchFactory)
    lat = factory.LazyAttribute(lambda o: o.home_branch.lat)
    lon = factory.LazyAttribute(lambda o: o.home_branch.lon)
    position_updated_at = factory.LazyFunction(timezone.now)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    company = "Edilizia Rossi S.r.l."
    contact_name = "Giulia Rossi"
    mobile = factory.Sequence(lambda n: f"+39347{1000000 + n}")
    language = "it"


class RentalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rental

    customer = factory.SubFactory(CustomerFactory)
    machine = factory.SubFactory(MachineFactory, status=MachineStatus.ON_RENT, lat=45.55, lon=9.20)
    branch = factory.LazyAttribute(lambda o: o.machine.home_branch)
    site_address = "Via Roma 12, Sesto San Giovanni"
    site_lat = 45.5500
    site_lon = 9.2000
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    recovery_sla_hours = 4


class TechnicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technician
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role="technician", first_name="Luca")
    home_branch = factory.SubFactory(BranchFactory)
    on_shift = True
    lat = factory.LazyAttribute(lambda o: o.home_branch.lat)
    lon = factory.LazyAttribute(lambda o: o.home_branch.lon)

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


def machine_at(category, branch, where, fleet_number, **kwargs):
    return MachineFactory(
        fleet_number=fleet_number, category=category, home_branch=branch, lat=where[0], lon=where[1], **kwargs
    )


# The road an incident walks, as far as `incident_through` takes it; a reserved replacement counts
# as reported (it is not dispatched yet).
STEPS = {
    IncidentStatus.REPORTED: 0,
    IncidentStatus.REPLACEMENT_RESERVED: 0,
    IncidentStatus.DISPATCHED: 1,
    IncidentStatus.EN_ROUTE: 2,
    IncidentStatus.ON_SITE: 3,
    IncidentStatus.RECOVERED: 4,
}


def incident_through(
    step: str = IncidentStatus.REPORTED,
    *,
    incident: Incident | None = None,
    rental: Rental | None = None,
    by=None,
    reported_at: datetime | None = None,
    symptom: str = "Hydraulic hose burst",
    channel: str = Channel.PHONE,
    machine: Machine | None = None,
    technician: Technician | None = None,
    repair_only: bool = False,
    dispatched_after: float = 5,
    en_route_after: float | None = None,
    on_site_after: float = 60,
    recovered_after: float = 90,
    outcome: str | None = None,
    score: int | None = None,
) -> Incident:
    """An incident taken up to `step` through the recovery services, as the desk and the crew would:
    the one way the suite builds incidents, so a change to a step is made here once.

    Starts from `incident` if given, else logs a breakdown on `rental` (a new one if not given).
    What is not given is made: Chiara at the desk (`by`), a replacement of the broken machine's
    category (none if `repair_only`) and Luca, skilled for it. With `reported_at`, the call is then
    and each step the given minutes after it; without, every step happens now. The crew taps
    "en route" only when it is the step asked for or `en_route_after` is given (a crew that forgot
    still arrives). `score` answers the survey an hour after the recovery."""

    def when(minutes: float) -> datetime | None:
        return None if reported_at is None else reported_at + timedelta(minutes=minutes)

    by = by or UserFactory(role="dispatcher", username="chiara", first_name="Chiara")
    target = STEPS[IncidentStatus(step)]
    if incident is None:
        incident = services.incident_log(
            rental=rental or RentalFactory(), reported_by=by, channel=channel, symptom=symptom, at=reported_at
        )
    reached = STEPS[IncidentStatus(incident.status)]

    if reached < STEPS[IncidentStatus.DISPATCHED] <= target:
        category = incident.broken_machine.category
        if machine is None and not repair_only:
            machine = MachineFactory(category=category)
        if technician is None:
            technician = Technician.objects.filter(user__username="luca").first() or TechnicianFactory(
                user=UserFactory(role="technician", username="luca", first_name="Luca")
            )
            technician.skills.add(category)
        incident = services.dispatch_start(
            incident=incident,
            by=by,
            machine=machine,
            technician=technician,
            repair_only=repair_only,
            at=when(dispatched_after),
        )
    tapped_en_route = target == STEPS[IncidentStatus.EN_ROUTE] or en_route_after is not None
    if reached < STEPS[IncidentStatus.EN_ROUTE] <= target and tapped_en_route:
        incident = services.dispatch_depart(
            incident=incident, by=by, at=when(dispatched_after if en_route_after is None else en_route_after)
        )
    if reached < STEPS[IncidentStatus.ON_SITE] <= target:
        incident = services.dispatch_arrive(incident=incident, by=by, at=when(on_site_after))
    if reached < STEPS[IncidentStatus.RECOVERED] <= target:
        outcome = outcome or (Outcome.REPAIRED_ON_SITE if repair_only else Outcome.SWAPPED)
        incident = services.incident_recover(
            incident=incident, outcome=outcome, by=by, at=when(recovered_after)
        )
        if score is not None:
            services.survey_response_record(incident=incident, score=score, at=when(recovered_after + 60))
    return incident
