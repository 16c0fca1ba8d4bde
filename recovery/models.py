"""A breakdown and its recovery: the incident, its timeline, ETA promises, goodwill, the verdict."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.geo import coordinate_constraints, latitude_field, longitude_field
from fleet.models import Customer, Machine, Rental, Technician


class IncidentStatus(models.TextChoices):
    # The machine's telematics reported a fault; nobody has confirmed a breakdown yet.
    SUSPECTED = "suspected", "Suspected (telematics)"
    REPORTED = "reported", "Reported"
    REPLACEMENT_RESERVED = "replacement_reserved", "Replacement reserved"
    DISPATCHED = "dispatched", "Dispatched"
    EN_ROUTE = "en_route", "En route"
    ON_SITE = "on_site", "On site"
    RECOVERED = "recovered", "Recovered"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"
    # A suspected fault the dispatcher found was no breakdown (a sensor, a planned shutdown).
    DISMISSED = "dismissed", "Dismissed"


OPEN_STATUSES = (
    IncidentStatus.SUSPECTED,
    IncidentStatus.REPORTED,
    IncidentStatus.REPLACEMENT_RESERVED,
    IncidentStatus.DISPATCHED,
    IncidentStatus.EN_ROUTE,
    IncidentStatus.ON_SITE,
)


class Channel(models.TextChoices):
    """How something reached us: who reported the breakdown, where a change was made."""

    PHONE = "phone", "Phone call to a dispatcher"
    CONSOLE = "console", "Dispatcher console"
    API = "api", "API"
    TECHNICIAN = "technician", "Technician app"
    SMS = "sms", "Customer SMS"
    TELEMATICS = "telematics", "Machine telematics"
    SYSTEM = "system", "Pronto"


class Severity(models.TextChoices):
    MACHINE_DOWN = "machine_down", "Machine down"
    DEGRADED = "degraded", "Degraded"


class Outcome(models.TextChoices):
    SWAPPED = "swapped", "Swapped for a replacement"
    REPAIRED_ON_SITE = "repaired_on_site", "Repaired on site"


class Cause(models.TextChoices):
    """What the technician found: a fault of the machine, or damage by the hirer."""

    MACHINE_FAULT = "machine_fault", "Machine fault"
    CUSTOMER_DAMAGE = "customer_damage", "Customer damage"


class CustomerAnswer(models.TextChoices):
    """What the customer answered to the arrival-time text ("reply 1 to confirm, 2 if it works")."""

    CONFIRMED = "confirmed", "Customer confirms someone on site"
    WORKS = "works", "Customer says it works: cancel?"


class Incident(models.Model):
    rental = models.ForeignKey(Rental, on_delete=models.PROTECT, related_name="incidents")
    broken_machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="breakdowns")
    replacement_machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, null=True, blank=True, related_name="replacements"
    )
    technician = models.ForeignKey(
        Technician, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    status = models.CharField(max_length=24, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED)
    reported_via = models.CharField(max_length=12, choices=Channel.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    symptom = models.TextField()
    severity = models.CharField(max_length=12, choices=Severity.choices, default=Severity.MACHINE_DOWN)
    # Copied from the rental when logged: the site is where the crew must go, even if the rental moves.
    site_lat = latitude_field()
    site_lon = longitude_field()

    reported_at = models.DateTimeField()
    sla_due_at = models.DateTimeField()
    reserved_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # When the assigned technician confirmed the job in the app (device time); cleared on reassignment.
    accepted_at = models.DateTimeField(null=True, blank=True)
    en_route_at = models.DateTimeField(null=True, blank=True)
    on_site_at = models.DateTimeField(null=True, blank=True)
    recovered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Opened by the machine itself: when it reported the fault and what it said. Confirmed (the
    # normal flow from there) or dismissed by a dispatcher, or confirmed by a rule.
    fault_at = models.DateTimeField(null=True, blank=True)
    # db_default: bulk loads (COPY) of incidents that name no fault get the empty string, not NULL.
    fault_text = models.CharField(max_length=255, blank=True, db_default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    # When the machine actually stopped, if known (telematics, the customer's word); the contract's
    # reporting window for the downtime credit runs from here. Unknown: the report is the moment.
    down_since = models.DateTimeField(null=True, blank=True)
    # The technician's classification of the cause (customer damage removes the downtime credit).
    # db_default too: the bulk loaders (COPY) of the demo and the benchmarks leave the columns out.
    cause = models.CharField(max_length=15, choices=Cause.choices, blank=True, default="", db_default="")
    cause_reason = models.CharField(max_length=255, blank=True, default="", db_default="")
    cause_classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cause_classified_at = models.DateTimeField(null=True, blank=True)

    # The first promise is kept for ever: it is what the customer was told and what we measure.
    first_promised_eta = models.DateTimeField(null=True, blank=True)
    current_eta = models.DateTimeField(null=True, blank=True)
    # The last arrival time the customer heard from us: a delay SMS goes out when the ETA
    # drifts past the margin from this, once, not on every small revision.
    customer_told_eta = models.DateTimeField(null=True, blank=True)
    # The dispatch plan's most likely arrival (the promise above adds a cushion learnt from past
    # journeys), and the plan itself: legs, crew, where the travel times came from.
    expected_eta = models.DateTimeField(null=True, blank=True)
    # db_default too: the bulk loaders (COPY) of the demo and the benchmarks leave the column out.
    plan = models.JSONField(default=dict, blank=True, db_default={})

    # Recovery speed, stored once the machine runs again (never recomputed ad hoc).
    time_to_dispatch = models.DurationField(null=True, blank=True)
    time_to_arrival = models.DurationField(null=True, blank=True)
    time_to_recovery = models.DurationField(null=True, blank=True)
    eta_error = models.DurationField(null=True, blank=True)
    promise_kept = models.BooleanField(null=True, blank=True)
    sla_met = models.BooleanField(null=True, blank=True)

    # Escalations the console shows in red.
    sla_at_risk_since = models.DateTimeField(null=True, blank=True)
    call_customer_reason = models.CharField(max_length=255, blank=True)
    # The customer's last answer to the options in the arrival-time text, shown on the board.
    customer_answer = models.CharField(
        max_length=12, choices=CustomerAnswer.choices, blank=True, db_default=""
    )
    customer_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at"]
        constraints = [
            *coordinate_constraints("incident_site", lat="site_lat", lon="site_lon", required=True),
            # Backstop to the conditional UPDATE: one machine can serve one open incident only.
            models.UniqueConstraint(
                fields=["replacement_machine"],
                condition=Q(status__in=OPEN_STATUSES),
                name="replacement_serves_one_open_incident",
            ),
            models.UniqueConstraint(
                fields=["broken_machine"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_incident_per_broken_machine",
            ),
            models.CheckConstraint(
                condition=Q(status__in=IncidentStatus.values), name="incident_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "sla_due_at"], name="incident_status_sla"),
            models.Index(fields=["recovered_at"], name="incident_recovered_at"),
            # The live board, most urgent first: a page is the first rows of this index.
            models.Index(
                fields=["sla_due_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="incident_open_by_sla",
            ),
            # Who is busy right now: ranking crews reads this, never their past jobs.
            models.Index(
                fields=["technician"],
                condition=Q(status__in=OPEN_STATUSES),
                name="incident_open_by_technician",
            ),
        ]

    def __str__(self) -> str:
        return f"Incident {self.pk}: {self.broken_machine.fleet_number}"

    @property
    def customer(self) -> Customer:
        return self.rental.customer

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    SUSPECTED = "suspected", "Fault reported by the machine"
    CONFIRMED = "confirmed", "Breakdown confirmed"
    DISMISSED = "dismissed", "Dismissed (no breakdown)"
    LOGGED = "logged", "Breakdown logged"
    RESERVED = "reserved", "Replacement reserved"
    DISPATCHED = "dispatched", "Dispatched"
    EN_ROUTE = "en_route", "En route"
    ON_SITE = "on_site", "On site"
    RECOVERED = "recovered", "Running again"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"
    REASSIGNED = "reassigned", "Reassigned"
    ETA_REVISED = "eta_revised", "ETA revised"
    GOODWILL = "goodwill", "Goodwill credit"
    SLA_AT_RISK = "sla_at_risk", "SLA at risk"
    CALL_CUSTOMER = "call_customer", "Call the customer"
    CUSTOMER_MESSAGE = "customer_message", "Message from the customer"
    SURVEY_ANSWERED = "survey_answered", "Survey answered"
    NOTE = "note", "Note"
    ACCEPTED = "accepted", "Accepted by the technician"
    DECLINED = "declined", "Declined by the technician"
    PHOTO = "photo", "Photo added"
    CAUSE_CLASSIFIED = "cause_classified", "Cause classified"
    DOWNTIME_CREDIT = "downtime_credit", "Downtime credit"
    EXCHANGED = "exchanged", "Unit exchanged on the contract"
    CUSTOMER_CONFIRMED = "customer_confirmed", "Customer confirms someone on site"
    CUSTOMER_WORKS = "customer_works", "Customer says it works again"
    APPROACHING = "approaching", "Crew a few minutes away"


class TimelineEvent(models.Model):
    """One line of the incident's story: who did what, when, through which channel."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    # When it happened (a technician's phone may report it late) and when we learnt it.
    at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    detail = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%H:%M}"


class EtaRevision(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="eta_revisions")
    eta = models.DateTimeField()
    previous_eta = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=255)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"ETA {self.eta:%H:%M} ({self.reason})"


class GoodwillStatus(models.TextChoices):
    GRANTED = "granted", "Granted"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting a manager"
    APPROVED = "approved", "Approved by a manager"
    REJECTED = "rejected", "Rejected by a manager"


class GoodwillCredit(models.Model):
    """A credit to the customer to make up for the breakdown (the Ritz-Carlton rule)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="goodwill_credits")
    amount_eur = models.DecimalField(max_digits=9, decimal_places=2)
    reason = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=GoodwillStatus.choices)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_eur__gt=0), name="goodwill_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"€{self.amount_eur} ({self.get_status_display()})"


class CustomerRecoveryRecord(models.Model):
    """The customer's recovery record, kept current each time one of their machines runs again."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="recovery_record")
    recoveries = models.PositiveIntegerField(default=0)
    median_time_to_recovery = models.DurationField(null=True, blank=True)
    # Percentages 0-100, from recovery.figures.recovery_summary_of like the loyalty page's.
    sla_met_pct = models.FloatField(null=True, blank=True)
    promises_kept_pct = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.customer}: {self.recoveries} recoveries"


class NpsCategory(models.TextChoices):
    PROMOTER = "promoter", "Promoter"
    PASSIVE = "passive", "Passive"
    DETRACTOR = "detractor", "Detractor"


class SurveyResponse(models.Model):
    """The customer's own verdict: 0-10, how likely are you to recommend us?"""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="survey_response")
    score = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=10, choices=NpsCategory.choices)
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__lte=10), name="survey_score_0_to_10")]

    def __str__(self) -> str:
        return f"{self.score}/10"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class FollowUp(models.Model):
    """A detractor's answer opens a task for a manager: call them, listen, make it right."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="follow_up")
    status = models.CharField(max_length=6, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Follow-up on incident {self.incident_id} ({self.get_status_display()})"


class JobPhoto(models.Model):
    """A photo a technician took on the job: the breakdown, the swap, the delivery note."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    # Named by us, never by the phone: a client's filename is not trusted on disk.
    file = models.FileField(upload_to="job-photos/%Y/%m/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the phone took it (device time), and when it reached us.
    taken_at = models.DateTimeField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_at", "id"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of incident {self.incident_id}"


class DowntimeCreditStatus(models.TextChoices):
    CREDITED = "credited", "Credited"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    REMOVED = "removed", "Removed (customer damage)"


class DowntimeCredit(models.Model):
    """The hire suspended while the machine was down, computed once when it runs again.

    Hours run from the report to running again; the amount is the line's rate pro rata."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="downtime_credit")
    status = models.CharField(max_length=12, choices=DowntimeCreditStatus.choices)
    # Why not eligible, or what the terms were when credited: a sentence for the dispatcher.
    explanation = models.CharField(max_length=255)
    suspended_from = models.DateTimeField()
    suspended_until = models.DateTimeField()
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    amount_eur = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    rate_eur = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    rate_period = models.CharField(max_length=4, blank=True)
    terms_source = models.CharField(max_length=10)
    computed_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="downtime_credit_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=DowntimeCreditStatus.values), name="downtime_credit_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h {self.get_status_display().lower()} on incident {self.incident_id}"


class Journey(models.Model):
    """A finished trip to a job site: what the plan predicted beside what happened (device times).
    The evidence the promise learns from (recovery.learning)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="journey")
    # Whose trucks and roads: the branch of the machine's yard, or of the crew on a repair visit.
    branch = models.ForeignKey("fleet.Branch", on_delete=models.CASCADE, related_name="journeys")
    band = models.PositiveSmallIntegerField()  # hour-of-week band of the dispatch (recovery.learning)
    dispatched_at = models.DateTimeField()
    departed_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField()
    predicted = models.DurationField()  # dispatch to arrival, as the road network or straight line said
    legs = models.JSONField(default=list)
    source = models.CharField(max_length=30)

    class Meta:
        indexes = [models.Index(fields=["branch", "band"], name="journey_branch_band")]

    def __str__(self) -> str:
        return f"Journey of incident {self.incident_id}: x{self.ratio:.2f}"

    @property
    def ratio(self) -> float:
        """Actual over predicted: 1.2 means the trip took 20 % longer than planned."""
        return (self.arrived_at - self.dispatched_at) / self.predicted


class TravelCorrection(models.Model):
    """What past journeys teach about a branch's trips in an hour-of-week band: the typical ratio of
    actual to predicted time (expected arrival) and the ratio at the promise quantile."""

    branch = models.ForeignKey("fleet.Branch", on_delete=models.CASCADE, related_name="travel_corrections")
    band = models.PositiveSmallIntegerField(null=True, blank=True)  # null: the branch at any hour
    samples = models.PositiveIntegerField()
    median_ratio = models.FloatField()
    promise_ratio = models.FloatField()
    fitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "band"], name="travel_correction_once"),
            models.UniqueConstraint(
                fields=["branch"], condition=models.Q(band__isnull=True), name="travel_correction_branch_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}/{self.band}: x{self.median_ratio:.2f} (promise x{self.promise_ratio:.2f})"
