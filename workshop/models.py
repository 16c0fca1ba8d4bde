"""The workshop: a work order per broken unit, and every status a machine went through, so the
days a unit spent out of service are a figure, not a guess."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fleet.models import Branch, Machine, MachineStatus, Rental


class WorkOrderSeverity(models.TextChoices):
    HARD_DOWN = "hard_down", "Hard down (cannot work)"
    SOFT_DOWN = "soft_down", "Soft down (works with a fault)"


class BillingType(models.TextChoices):
    INTERNAL = "internal", "Internal"
    WARRANTY = "warranty", "Warranty"
    CUSTOMER_DAMAGE = "customer_damage", "Customer damage"


class WorkOrderStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class WorkOrder(models.Model):
    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="work_orders")
    # The service branch that repairs it: the unit's home branch when it came off the contract.
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="work_orders")
    rental = models.ForeignKey(Rental, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The incident that sent it here, by number (the workshop sits below the recovery engine).
    incident_number = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=6, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN)
    severity = models.CharField(max_length=9, choices=WorkOrderSeverity.choices)
    billing_type = models.CharField(max_length=15, choices=BillingType.choices, default=BillingType.INTERNAL)
    fault = models.TextField()
    hour_meter = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine"], condition=Q(status="open"), name="one_open_work_order_per_machine"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="work_order_closed_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"WO-{self.pk} {self.machine.fleet_number} ({self.get_status_display()})"


class MachineStatusChange(models.Model):
    """One line of a machine's status history: from `at` on it was `status`."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(max_length=20, choices=MachineStatus.choices)
    previous_status = models.CharField(max_length=20, choices=MachineStatus.choices, blank=True)
    at = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["machine", "at", "id"]
        indexes = [models.Index(fields=["machine", "at"], name="machine_status_history")]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.previous_status}→{self.status} at {self.at:%Y-%m-%d %H:%M}"
