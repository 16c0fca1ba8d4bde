"""The rental company as Pronto sees it: depots, the fleet, customers, rentals, field crews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from phonenumber_field.modelfields import PhoneNumberField

from core.geo import coordinate_constraints, latitude_field, longitude_field


class Branch(models.Model):
    """A depot: where machines live and crews leave from."""

    name = models.CharField(max_length=100, unique=True)
    address = models.CharField(max_length=255)
    lat = latitude_field()
    lon = longitude_field()
    phone = PhoneNumberField()
    # Trucks with a machine on the trailer are slow; this drives the ETA from this depot.
    average_road_speed_kmh = models.FloatField(default=55.0)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "branches"
        constraints = [
            *coordinate_constraints("branch", required=True),
            models.CheckConstraint(
                condition=Q(average_road_speed_kmh__gt=0) & Q(average_road_speed_kmh__lte=130),
                name="branch_road_speed_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MachineCategory(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, help_text="In English.")
    # Customers and most of the desk read Italian: "Escavatore cingolato 13-16 t" in an Italian SMS,
    # not the English name. Empty falls back to the English name.
    name_it = models.CharField("name in Italian", max_length=120, blank=True)
    substitutes = models.ManyToManyField(
        "self",
        through="CategorySubstitute",
        through_fields=("category", "substitute"),
        symmetrical=False,
        related_name="substitute_for",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "machine categories"

    def __str__(self) -> str:
        return self.display_name

    def local_name(self, language: str | None) -> str:
        if language and language.startswith("it") and self.name_it:
            return self.name_it
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the language of the page or message being rendered."""
        return self.local_name(get_language())


class CategorySubstitute(models.Model):
    """A category a customer accepts instead of another, in order of preference (1 = first)."""

    category = models.ForeignKey(MachineCategory, on_delete=models.CASCADE, related_name="substitute_rules")
    substitute = models.ForeignKey(MachineCategory, on_delete=models.CASCADE, related_name="+")
    preference = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["category", "preference"]
        constraints = [
            models.UniqueConstraint(fields=["category", "substitute"], name="substitute_once_per_category"),
            models.UniqueConstraint(fields=["category", "preference"], name="substitute_preference_unique"),
            models.CheckConstraint(
                condition=~Q(category=models.F("substitute")), name="substitute_is_another_category"
            ),
            models.CheckConstraint(condition=Q(preference__gte=1), name="substitute_preference_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.substitute} (#{self.preference})"


class MachineStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    RESERVED = "reserved", "Reserved"
    ON_RENT = "on_rent", "On rent"
    IN_TRANSIT = "in_transit", "In transit"
    BROKEN = "broken", "Broken"
    IN_REPAIR = "in_repair", "In repair"
    RETIRED = "retired", "Retired"


class Machine(models.Model):
    fleet_number = models.CharField(max_length=20, unique=True)
    serial_number = models.CharField(max_length=60, blank=True)
    # The maker's product identification number (ISO 10261, 17 characters): how telematics names it.
    # db_default: bulk loads (COPY) that name no PIN get the empty string, not NULL.
    pin = models.CharField("PIN", max_length=17, blank=True, db_default="")
    category = models.ForeignKey(MachineCategory, on_delete=models.PROTECT, related_name="machines")
    make = models.CharField(max_length=60)
    model = models.CharField(max_length=60)
    status = models.CharField(max_length=20, choices=MachineStatus.choices, default=MachineStatus.AVAILABLE)
    home_branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="machines")
    lat = latitude_field(null=True, blank=True)
    lon = longitude_field(null=True, blank=True)
    position_updated_at = models.DateTimeField(null=True, blank=True)
    hour_meter = models.DecimalField(max_digits=9, decimal_places=1, default=0)

    class Meta:
        ordering = ["fleet_number"]
        constraints = [
            *coordinate_constraints("machine"),
            models.CheckConstraint(condition=Q(hour_meter__gte=0), name="machine_hour_meter_not_negative"),
            models.CheckConstraint(condition=Q(status__in=MachineStatus.values), name="machine_status_known"),
            models.UniqueConstraint(fields=["pin"], condition=~Q(pin=""), name="machine_pin_unique"),
        ]
        indexes = [
            # Portable prefilter for the replacement search (bounding box per category).
            # PostgreSQL also gets a KNN index, see migration 0002.
            models.Index(
                fields=["category", "lat", "lon"],
                condition=Q(status="available"),
                name="machine_available_cat_lat",
            ),
            models.Index(fields=["status"], name="machine_status"),
        ]

    def __str__(self) -> str:
        return f"{self.fleet_number} {self.make} {self.model}"


class Language(models.TextChoices):
    ITALIAN = "it", "Italiano"
    ENGLISH = "en", "English"


class ChannelPreference(models.TextChoices):
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    BOTH = "both", "SMS and WhatsApp"


class Customer(models.Model):
    company = models.CharField(max_length=160)
    contact_name = models.CharField(max_length=120)
    # How the contact wants to be addressed in texts ("Ing. Bianchi", "Mario"); empty: worked out
    # from the contact name (a title keeps the surname, otherwise the first name).
    form_of_address = models.CharField(max_length=60, blank=True)
    mobile = PhoneNumberField()
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ITALIAN)
    sms_consent = models.BooleanField(default=True)
    # Where our texts go: set by the dispatcher or by the customer replying WHATSAPP or SMS.
    channel_preference = models.CharField(
        max_length=8, choices=ChannelPreference.choices, default=ChannelPreference.SMS, db_default="sms"
    )
    # Set when the customer texts STOP; no SMS goes to them until they text START.
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    # A stop-severity fault on their machine confirms itself (the customer agreed to be called first
    # without a dispatcher checking); other faults wait for a dispatcher.
    telematics_auto_confirm = models.BooleanField(default=False, db_default=False)
    # Set by `manage.py erase_customer`: the personal data above are placeholders since then.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["company"]
        indexes = [models.Index(fields=["mobile"], name="customer_mobile")]

    def __str__(self) -> str:
        return f"{self.company} ({self.contact_name})"

    @property
    def contact_first_name(self) -> str:
        return self.contact_name.split()[0] if self.contact_name.strip() else ""

    @property
    def can_receive_sms(self) -> bool:
        return self.sms_consent and self.sms_opted_out_at is None


class RentalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class Rental(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="rentals")
    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="rentals")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="rentals")
    site_address = models.CharField(max_length=255)
    site_lat = latitude_field()
    site_lon = longitude_field()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    recovery_sla_hours = models.PositiveSmallIntegerField(default=4)
    status = models.CharField(max_length=10, choices=RentalStatus.choices, default=RentalStatus.ACTIVE)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            *coordinate_constraints("rental_site", lat="site_lat", lon="site_lon", required=True),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="rental_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=Q(recovery_sla_hours__gte=1), name="rental_sla_at_least_1h"),
        ]

    def __str__(self) -> str:
        return f"{self.machine.fleet_number} at {self.site_address}"


class Technician(models.Model):
    """A field technician or driver: delivers replacements and repairs on site."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technician")
    home_branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="technicians")
    phone = PhoneNumberField(blank=True)
    skills = models.ManyToManyField(MachineCategory, blank=True, related_name="technicians")
    on_shift = models.BooleanField(default=False)
    # Device time of the last shift change: a late "off shift" never undoes a newer "on shift".
    shift_changed_at = models.DateTimeField(null=True, blank=True)
    lat = latitude_field(null=True, blank=True)
    lon = longitude_field(null=True, blank=True)
    position_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        constraints = coordinate_constraints("technician")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def first_name(self) -> str:
        return self.user.first_name or self.user.get_username()
