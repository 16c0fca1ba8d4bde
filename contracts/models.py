"""The rental contract as the rental system keeps it: lines, each a unit on hire from/to with the
hour meter out and in, and the terms that decide whether a breakdown suspends the hire."""

from django.db import models
from django.db.models import Q

from fleet.models import Customer, Machine, Rental


class ExchangeReason(models.TextChoices):
    BREAKDOWN = "breakdown", "Breakdown"
    CUSTOMER_DAMAGE = "customer_damage", "Customer damage"
    PLANNED = "planned", "Planned exchange"


class RatePeriod(models.TextChoices):
    DAY = "day", "Per day"
    WEEK = "week", "Per week"


# Hours in a rate period: a credit is the rate pro rata to the hours the hire was suspended.
RATE_PERIOD_HOURS: dict[str, int] = {RatePeriod.DAY: 24, RatePeriod.WEEK: 168}


class RentalLine(models.Model):
    """One unit on the contract from on-hire to off-hire. An exchange closes one line and opens the
    next on the same contract and rate (the old line ends at the swap: Latner's rule)."""

    rental = models.ForeignKey(Rental, on_delete=models.CASCADE, related_name="lines")
    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="rental_lines")
    on_hire_at = models.DateTimeField()
    off_hire_at = models.DateTimeField(null=True, blank=True)
    hour_meter_out = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True)
    hour_meter_in = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True)
    rate_eur = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    rate_period = models.CharField(max_length=4, choices=RatePeriod.choices, default=RatePeriod.DAY)
    # Why this line began (blank: the contract's first unit) and which line it replaced.
    exchange_reason = models.CharField(max_length=15, choices=ExchangeReason.choices, blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    external_line = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["rental", "on_hire_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rental"], condition=Q(off_hire_at__isnull=True), name="one_open_line_per_rental"
            ),
            models.CheckConstraint(
                condition=Q(off_hire_at__isnull=True) | Q(off_hire_at__gte=models.F("on_hire_at")),
                name="rental_line_off_after_on",
            ),
            models.CheckConstraint(
                condition=Q(hour_meter_in__isnull=True)
                | Q(hour_meter_out__isnull=True)
                | Q(hour_meter_in__gte=models.F("hour_meter_out")),
                name="rental_line_hour_meter_forward",
            ),
            models.CheckConstraint(
                condition=Q(rate_eur__isnull=True) | Q(rate_eur__gte=0), name="rental_line_rate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine.fleet_number} on {self.rental_id} from {self.on_hire_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.off_hire_at is None


class DowntimeTerms(models.Model):
    """Whether and how a breakdown suspends the hire: a customer's terms, or one rental's override.

    Without either, the defaults in settings (DOWNTIME_*) apply."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="downtime_terms"
    )
    rental = models.OneToOneField(
        Rental, on_delete=models.CASCADE, null=True, blank=True, related_name="downtime_terms"
    )
    suspends_hire = models.BooleanField(default=True)
    # A breakdown reported later than this after the machine went down is not credited.
    reporting_window_hours = models.PositiveSmallIntegerField(default=2)
    # The hirer's misuse or damage voids the credit.
    misuse_voids = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "downtime terms"
        constraints = [
            models.CheckConstraint(
                condition=(Q(customer__isnull=False) & Q(rental__isnull=True))
                | (Q(customer__isnull=True) & Q(rental__isnull=False)),
                name="downtime_terms_for_a_customer_or_a_rental",
            ),
        ]

    def __str__(self) -> str:
        whose = f"rental {self.rental_id}" if self.rental_id else f"customer {self.customer_id}"
        return f"Downtime terms of {whose}"
