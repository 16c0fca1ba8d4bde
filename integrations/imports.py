"""Customers and rentals (with their lines) coming in from the rental system, upserted by its own
references. A file is all or nothing: every row is checked first, and one bad row imports nothing
and is reported with its row number and why. Importing the same file twice changes nothing."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from contracts.models import RatePeriod, RentalLine
from core.api.fields import AwareDateTimeField
from fleet.models import Branch, Customer, Language, Machine, MachineStatus, Rental, RentalStatus
from integrations.models import ExternalKind, ExternalReference
from recovery.models import OPEN_STATUSES, Incident
from workshop.services import machine_status_change

MAX_ROWS = 5000


class CustomerRow(serializers.Serializer):
    external_reference = serializers.CharField(max_length=60)
    company = serializers.CharField(max_length=160)
    contact_name = serializers.CharField(max_length=120)
    mobile = serializers.CharField(max_length=30)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.ITALIAN)
    sms_consent = serializers.BooleanField(default=True)

    def validate_mobile(self, value: str) -> str:
        from phonenumber_field.phonenumber import to_python

        number = to_python(value)
        if number is None or not number.is_valid():
            raise serializers.ValidationError("Not a valid mobile number (e.g. +39 347 123 4567).")
        return number.as_e164


class RentalLineRow(serializers.Serializer):
    """One line of a rental; the rental's own fields repeat on each of its lines."""

    rental_reference = serializers.CharField(max_length=60)
    customer_reference = serializers.CharField(max_length=60)
    branch = serializers.CharField(max_length=100, help_text="The branch's name in Pronto.")
    site_address = serializers.CharField(max_length=255)
    site_lat = serializers.FloatField(min_value=-90, max_value=90)
    site_lon = serializers.FloatField(min_value=-180, max_value=180)
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=RentalStatus.choices, default=RentalStatus.ACTIVE)
    recovery_sla_hours = serializers.IntegerField(min_value=1, max_value=168, default=4)
    line_reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    fleet_number = serializers.CharField(max_length=20)
    on_hire_at = AwareDateTimeField()
    off_hire_at = AwareDateTimeField(required=False, allow_null=True)
    hour_meter_out = serializers.DecimalField(
        max_digits=9, decimal_places=1, min_value=Decimal(0), required=False, allow_null=True
    )
    hour_meter_in = serializers.DecimalField(
        max_digits=9, decimal_places=1, min_value=Decimal(0), required=False, allow_null=True
    )
    rate_eur = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )
    rate_period = serializers.ChoiceField(choices=RatePeriod.choices, default=RatePeriod.DAY)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("ends_at") and attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError({"ends_at": ["The rental must end after it starts."]})
        if attrs.get("off_hire_at") and attrs["off_hire_at"] < attrs["on_hire_at"]:
            raise serializers.ValidationError({"off_hire_at": ["Off hire comes after on hire."]})
        meter_in, meter_out = attrs.get("hour_meter_in"), attrs.get("hour_meter_out")
        if meter_in is not None and meter_out is not None and meter_in < meter_out:
            raise serializers.ValidationError({"hour_meter_in": ["The hour meter cannot run backwards."]})
        if not Machine.objects.filter(fleet_number=attrs["fleet_number"]).exists():
            raise serializers.ValidationError(
                {"fleet_number": [f"No machine {attrs['fleet_number']} in the fleet."]}
            )
        if not Branch.objects.filter(name=attrs["branch"]).exists():
            raise serializers.ValidationError({"branch": [f"No branch named {attrs['branch']}."]})
        if not ExternalReference.objects.filter(
            kind=ExternalKind.CUSTOMER, reference=attrs["customer_reference"]
        ).exists():
            raise serializers.ValidationError(
                {
                    "customer_reference": [
                        f"Customer {attrs['customer_reference']} was never imported; import it first."
                    ]
                }
            )
        return attrs


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


class ImportRejected(Exception):
    """Raised inside the transaction so that nothing of the file stays."""


def rows_from_csv(content: bytes) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV with a header line (Excel's BOM and semicolons are accepted)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise serializers.ValidationError({"file": ["The file is not UTF-8 text."]}) from error
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    rows = [
        {key.strip(): (value or "").strip() for key, value in row.items() if key}
        for row in csv.DictReader(io.StringIO(text), dialect=dialect)
    ]
    # Empty cells mean "not given", as in JSON.
    return [{key: value for key, value in row.items() if value != ""} for row in rows]


def _check(
    rows: list[dict[str, Any]], row_serializer: type[serializers.Serializer], key: str
) -> tuple[list[dict], list[dict]]:
    if not rows:
        raise serializers.ValidationError({"rows": ["The file has no rows."]})
    if len(rows) > MAX_ROWS:
        raise serializers.ValidationError({"rows": [f"At most {MAX_ROWS} rows per file; split it."]})
    valid, rejected = [], []
    for number, row in enumerate(rows, start=1):
        checked = row_serializer(data=row)
        if checked.is_valid():
            valid.append(checked.validated_data)
        else:
            rejected.append({"row": number, "reference": str(row.get(key, "")), "errors": checked.errors})
    return valid, rejected


def _set(instance: Any, values: dict[str, Any]) -> bool:
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return bool(changed)


def customers_import(*, rows: list[dict[str, Any]]) -> ImportReport:
    valid, rejected = _check(rows, CustomerRow, "external_reference")
    report = ImportReport(rows=len(rows), rejected=rejected)
    references = [row["external_reference"] for row in valid]
    for reference in {r for r in references if references.count(r) > 1}:
        report.rejected.append(
            {
                "row": references.index(reference) + 1,
                "reference": reference,
                "errors": {"external_reference": ["Appears more than once in the file."]},
            }
        )
    if report.rejected:
        return report
    with transaction.atomic():
        for row in valid:
            reference = row.pop("external_reference")
            link = (
                ExternalReference.objects.select_related("customer")
                .filter(kind=ExternalKind.CUSTOMER, reference=reference)
                .first()
            )
            if link is None:
                customer = Customer.objects.create(**row)
                ExternalReference.objects.create(
                    kind=ExternalKind.CUSTOMER, reference=reference, customer=customer
                )
                report.created += 1
                continue
            existing = link.customer
            assert existing is not None
            if existing.erased_at is not None:
                continue  # an erased customer's data never comes back through an import
            if _set(existing, row):
                existing.save()
                report.updated += 1
            else:
                report.unchanged += 1
    return report


RENTAL_FIELDS = (
    "branch",
    "site_address",
    "site_lat",
    "site_lon",
    "starts_at",
    "ends_at",
    "status",
    "recovery_sla_hours",
)
LINE_FIELDS = ("on_hire_at", "off_hire_at", "hour_meter_out", "hour_meter_in", "rate_eur", "rate_period")


def rentals_import(*, rows: list[dict[str, Any]]) -> ImportReport:
    valid, rejected = _check(rows, RentalLineRow, "rental_reference")
    report = ImportReport(rows=len(rows), rejected=rejected)
    contracts: dict[str, list[tuple[int, dict]]] = {}
    numbered = [n for n in range(1, len(rows) + 1) if all(r["row"] != n for r in rejected)]
    for number, row in zip(numbered, valid, strict=True):
        contracts.setdefault(row["rental_reference"], []).append((number, row))
    for reference, lines in contracts.items():
        open_lines = [number for number, line in lines if line.get("off_hire_at") is None]
        if len(open_lines) > 1:
            report.rejected.append(
                {
                    "row": open_lines[1],
                    "reference": reference,
                    "errors": {
                        "off_hire_at": ["A rental has one unit on hire at a time: only one line may be open."]
                    },
                }
            )
    if report.rejected:
        return report
    try:
        with transaction.atomic():
            for reference, lines in contracts.items():
                _rental_upsert(reference, lines, report)
            if report.rejected:
                raise ImportRejected
    except ImportRejected:
        report.created = report.updated = report.unchanged = 0
    return report


def _reject(report: ImportReport, number: int, reference: str, field_name: str, message: str) -> None:
    report.rejected.append({"row": number, "reference": reference, "errors": {field_name: [message]}})


def _rental_upsert(reference: str, lines: list[tuple[int, dict]], report: ImportReport) -> None:
    lines = sorted(lines, key=lambda item: item[1]["on_hire_at"])
    first_number, first = lines[0]
    current_number, current = next(
        ((n, line) for n, line in lines if line.get("off_hire_at") is None), lines[-1]
    )
    customer_link = ExternalReference.objects.get(
        kind=ExternalKind.CUSTOMER, reference=first["customer_reference"]
    )
    machine = Machine.objects.select_for_update().get(fleet_number=current["fleet_number"])
    values = {
        "customer": customer_link.customer,
        "machine": machine,
        "branch": Branch.objects.get(name=first["branch"]),
        **{name: first.get(name) for name in RENTAL_FIELDS if name != "branch"},
    }
    link = (
        ExternalReference.objects.select_related("rental")
        .filter(kind=ExternalKind.RENTAL, reference=reference)
        .first()
    )
    rental = link.rental if link is not None else None
    if (
        rental is not None
        and Incident.objects.filter(rental=rental, status__in=OPEN_STATUSES).exists()
        and rental.machine_id != machine.pk
    ):
        _reject(
            report,
            current_number,
            reference,
            "fleet_number",
            "This rental has an open breakdown: its unit changes with the recovery, not an import.",
        )
        return
    active = values["status"] == RentalStatus.ACTIVE and current.get("off_hire_at") is None
    elsewhere = Rental.objects.filter(machine=machine, status=RentalStatus.ACTIVE)
    if rental is not None:
        elsewhere = elsewhere.exclude(pk=rental.pk)
    if active and elsewhere.exists():
        _reject(
            report,
            current_number,
            reference,
            "fleet_number",
            f"{machine.fleet_number} is on another active rental.",
        )
        return
    try:
        with transaction.atomic():
            changed = False
            if rental is None:
                rental = Rental.objects.create(**values)
                RentalLine.objects.filter(rental=rental).delete()  # the file's lines are the contract's
                ExternalReference.objects.create(kind=ExternalKind.RENTAL, reference=reference, rental=rental)
                created = True
            else:
                created = False
                if _set(rental, values):
                    rental.save()
                    changed = True
            changed |= _lines_upsert(rental, lines)
    except IntegrityError:
        _reject(
            report,
            first_number,
            reference,
            "rental_reference",
            "Conflicts with data already in Pronto (dates, hour meters or lines).",
        )
        return
    if active and machine.status == MachineStatus.AVAILABLE:
        machine_status_change(
            machine=machine,
            status=MachineStatus.ON_RENT,
            at=timezone.now(),
            reason=f"rental {reference} imported",
        )
    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _lines_upsert(rental: Rental, lines: list[tuple[int, dict]]) -> bool:
    """The rental's lines become the file's: matched by the line reference, else by unit and
    on-hire time; lines the file no longer has are removed first (one open line at a time)."""
    existing = list(RentalLine.objects.filter(rental=rental).order_by("on_hire_at", "id"))
    plan: list[tuple[RentalLine | None, dict]] = []
    taken: set[int] = set()
    for _, row in lines:
        machine_id = Machine.objects.values_list("pk", flat=True).get(fleet_number=row["fleet_number"])
        match = next(
            (
                line
                for line in existing
                if line.pk not in taken
                and (
                    line.external_line == row["line_reference"]
                    if row["line_reference"]
                    else line.machine_id == machine_id and line.on_hire_at == row["on_hire_at"]
                )
            ),
            None,
        )
        if match is not None:
            taken.add(match.pk)
        values = {name: row.get(name) for name in LINE_FIELDS}
        values.update(machine_id=machine_id, external_line=row["line_reference"])
        plan.append((match, values))
    stale = [line.pk for line in existing if line.pk not in taken]
    changed = bool(stale)
    if stale:
        RentalLine.objects.filter(replaces_id__in=stale).update(replaces=None)
        RentalLine.objects.filter(pk__in=stale).delete()
    previous: RentalLine | None = None
    for match, values in plan:
        values["replaces_id"] = previous.pk if previous is not None else None
        if match is None:
            match = RentalLine.objects.create(rental=rental, **values)
            changed = True
        elif _set(match, values):
            match.save()
            changed = True
        previous = match
    return changed
