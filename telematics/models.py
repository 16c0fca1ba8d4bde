"""What the machines report: providers, the raw event log (partitioned by day on PostgreSQL), one
latest-state row per machine, the fault rules, faults as they come and go, and workshop notes."""

import secrets

from django.db import models
from django.db.models import Q

from fleet.models import Branch, Machine


class ProviderKind(models.TextChoices):
    PUSH = "push", "Pushes events to us"
    ISO15143 = "iso15143", "ISO 15143-3 (AEMP 2.0) server we poll"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Provider(models.Model):
    """A telematics source: a maker's or tracker's server we poll, or one that pushes to us."""

    name = models.SlugField(max_length=40, unique=True)
    kind = models.CharField(max_length=10, choices=ProviderKind.choices)
    enabled = models.BooleanField(default=True)
    # Push: the token names the provider, the secret signs each body (HMAC-SHA256).
    token = models.CharField(max_length=64, unique=True, default=new_secret)
    signing_secret = models.CharField(max_length=64, default=new_secret)
    # Poll: the ISO 15143-3 base URL (…/Fleet/1 is the first snapshot page) and its bearer key.
    base_url = models.URLField(blank=True)
    api_key = models.CharField(max_length=255, blank=True)
    # Providers limit calls (Trackunit: one per URL every 15 minutes).
    poll_interval_seconds = models.PositiveIntegerField(default=900)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    # Reports naming a machine we do not have (a PIN missing from the fleet, a typo): counted here,
    # logged, and otherwise ignored.
    unknown_reports = models.PositiveBigIntegerField(default=0)
    last_unknown_machine = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="iso15143") | ~Q(base_url=""), name="telematics_poll_provider_has_url"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FaultSeriesCursor(models.Model):
    """The last fault-code point read from a provider for one machine: the next poll asks only for
    what came after it."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="cursors")
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="+")
    equipment_id = models.CharField(max_length=60)
    last_point_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "machine"], name="telematics_cursor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.equipment_id} up to {self.last_point_at:%Y-%m-%d %H:%M}"


class FaultSeverity(models.TextChoices):
    """The lamps a machine's dashboard lights, least to most serious."""

    INFO = "info", "Info"
    AMBER = "amber", "Amber (warning)"
    RED = "red", "Red (serious)"
    STOP = "stop", "Stop (shut down now)"


class MachineEvent(models.Model):
    """One report from a machine. On PostgreSQL the table is partitioned by day (see migration 0001)
    and loaded with COPY; (machine, occurred_at, kind) is the key, so a repeated report is ignored.

    `kind` is "state" for a plain report, "fault:<SPN>:<FMI>" when it carries a fault code."""

    pk = models.CompositePrimaryKey("machine_id", "occurred_at", "kind")
    machine = models.ForeignKey(Machine, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=32)
    received_at = models.DateTimeField()
    provider = models.CharField(max_length=40, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    hour_meter = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True)
    engine_running = models.BooleanField(null=True, blank=True)
    fault_spn = models.PositiveIntegerField(null=True, blank=True)
    fault_fmi = models.PositiveSmallIntegerField(null=True, blank=True)
    fault_severity = models.CharField(max_length=8, blank=True)
    fault_description = models.CharField(max_length=255, blank=True)
    fault_active = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.kind} of machine {self.machine_id} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class MachineState(models.Model):
    """The newest we know of each machine; every field moves only forward in the machine's time,
    so a late or repeated report never overwrites a newer one."""

    machine = models.OneToOneField(
        Machine, on_delete=models.CASCADE, primary_key=True, related_name="telematics"
    )
    provider = models.CharField(max_length=40, blank=True)
    last_seen_at = models.DateTimeField()
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    position_at = models.DateTimeField(null=True, blank=True)
    hour_meter = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True)
    hour_meter_at = models.DateTimeField(null=True, blank=True)
    engine_running = models.BooleanField(null=True, blank=True)
    engine_at = models.DateTimeField(null=True, blank=True)
    # Codes of the faults active now, e.g. ["SPN 110 FMI 0"], kept by the fault rules.
    active_faults = models.JSONField(default=list, blank=True)

    class Meta:
        # No index on the times: they change with every report, and an indexed column would rule
        # out PostgreSQL's in-place (HOT) updates for the busiest table we have.
        verbose_name = "machine state"

    def __str__(self) -> str:
        return f"State of machine {self.machine_id}"


class FaultAction(models.TextChoices):
    NOTHING = "nothing", "No action"
    NOTIFY_BRANCH = "notify_branch", "Notify the branch"
    SUSPECT_INCIDENT = "suspect_incident", "Open a suspected incident"


class FaultRule(models.Model):
    """Fault code or severity -> what we do. The most specific rule wins: SPN and FMI, then SPN,
    then severity alone."""

    spn = models.PositiveIntegerField("SPN", null=True, blank=True)
    fmi = models.PositiveSmallIntegerField("FMI", null=True, blank=True)
    severity = models.CharField(max_length=8, choices=FaultSeverity.choices, blank=True)
    action = models.CharField(max_length=20, choices=FaultAction.choices)
    # The same fault again within this window (or back after clearing) is the same fault.
    debounce_minutes = models.PositiveIntegerField(default=30)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["spn", "fmi", "severity"]
        constraints = [
            models.CheckConstraint(
                condition=Q(spn__isnull=False) | ~Q(severity=""), name="fault_rule_names_a_code_or_severity"
            ),
            models.CheckConstraint(
                condition=Q(fmi__isnull=True) | Q(spn__isnull=False), name="fault_rule_fmi_needs_spn"
            ),
        ]

    def __str__(self) -> str:
        what = f"SPN {self.spn}" if self.spn is not None else ""
        if self.fmi is not None:
            what += f" FMI {self.fmi}"
        if self.severity:
            what = f"{what} {self.get_severity_display()}".strip()
        return f"{what} → {self.get_action_display()}"


class MachineFault(models.Model):
    """A fault on a machine from the moment it lights up until it clears; repeats and flaps within
    the rule's debounce window stay this one fault."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="faults")
    spn = models.PositiveIntegerField()
    fmi = models.PositiveSmallIntegerField()
    severity = models.CharField(max_length=8, choices=FaultSeverity.choices)
    description = models.CharField(max_length=255, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    # Times it came back after clearing inside the debounce window: a loose sensor, not a new fault.
    flaps = models.PositiveIntegerField(default=0)
    action = models.CharField(max_length=20, choices=FaultAction.choices)
    # What the action did: the suspected incident or the workshop note it opened.
    incident = models.ForeignKey(
        "recovery.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-first_seen_at"]
        indexes = [
            models.Index(fields=["machine", "spn", "fmi", "-first_seen_at"], name="telematics_fault_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} on machine {self.machine_id}"

    @property
    def code(self) -> str:
        return f"SPN {self.spn} FMI {self.fmi}"

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


class WorkshopNote(models.Model):
    """For the branch's workshop: a fault on a machine in the yard, or one a rule says to notify."""

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="workshop_notes")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="workshop_notes")
    fault = models.ForeignKey(
        MachineFault, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    text = models.CharField(max_length=255)
    opened_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.text
