"""Make a demo machine report a fault, as its tracker would, and say what Pronto did with it.

manage.py simulate_fault PR0000012                # a red lamp: engine coolant temperature high
manage.py simulate_fault PR0000012 --severity stop --spn 100 --fmi 1 --description "Oil pressure low"
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fleet.models import Machine, MachineStatus, Rental, RentalStatus
from recovery.models import IncidentStatus
from telematics import demo, services, stream
from telematics.events import FaultReading
from telematics.models import FaultSeverity, MachineFault, WorkshopNote


class Command(BaseCommand):
    help = "Send a telematics fault for one machine (by fleet number) and show what Pronto did."

    def add_arguments(self, parser):
        parser.add_argument("fleet_number")
        parser.add_argument("--severity", choices=FaultSeverity.values, default=demo.DEFAULT_FAULT.severity)
        parser.add_argument("--spn", type=int, default=demo.DEFAULT_FAULT.spn)
        parser.add_argument("--fmi", type=int, default=demo.DEFAULT_FAULT.fmi)
        parser.add_argument("--description", default=demo.DEFAULT_FAULT.description)

    def handle(self, *args, fleet_number, severity, spn, fmi, description, **options):
        machine = Machine.objects.filter(fleet_number=fleet_number.strip().upper()).first()
        if machine is None:
            raise CommandError(
                f"No machine {fleet_number}. Machines on rent with a tracker: {_on_rent_examples()}"
            )
        fault = FaultReading(spn=spn, fmi=fmi, severity=severity, description=description)
        sent_at = timezone.now()
        demo.demo_fault_send(machine=machine, fault=fault, at=sent_at)
        if stream.stream_enabled():
            # With a broker the report is on the stream; load it here so the demo needs no consumer.
            consumer = stream.StreamConsumer(
                handle=lambda events: services.events_ingest(events=events), name="simulate_fault"
            )
            self.stdout.write(f"Loaded {consumer.drain()} reports from the stream.")
        recorded = (
            MachineFault.objects.filter(machine=machine, spn=spn, fmi=fmi).order_by("-first_seen_at").first()
        )
        if recorded is None:
            raise CommandError("The fault was not recorded; see the log above.")
        if recorded.first_seen_at != sent_at:
            since = timezone.localtime(recorded.first_seen_at).strftime("%H:%M")
            self.stdout.write(
                f"{recorded.code} has been active on {machine.fleet_number} since {since}: same fault."
            )
            return
        base = settings.PUBLIC_BASE_URL
        incident = recorded.incident
        if incident is not None:
            customer = incident.rental.customer.company
            status = incident.get_status_display().lower()
            if incident.status == IncidentStatus.SUSPECTED:
                next_step = "to confirm it (the customer is texted first) or dismiss it"
            else:
                next_step = "to dispatch the replacement: it confirmed itself and the customer was texted"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{machine.fleet_number} ({machine.category.name}) on rent to {customer}: "
                    f"incident #{incident.pk} is {status}.\n"
                    f"Open {base}/incidents/{incident.pk}/ {next_step}."
                )
            )
            return
        note = WorkshopNote.objects.filter(fault=recorded).first()
        if note is not None:
            self.stdout.write(self.style.WARNING(f"Workshop note for {note.branch}: {note.text}"))
            self.stdout.write(
                f"For a proactive recovery, pick a machine on rent with a tracker: {_on_rent_examples()}"
            )
            return
        action = recorded.get_action_display().lower()
        self.stdout.write(f"{recorded.code} on {machine.fleet_number}: the fault rule says {action}.")


def _on_rent_examples() -> str:
    rentals = Rental.objects.filter(status=RentalStatus.ACTIVE, machine__status=MachineStatus.ON_RENT)
    numbers = rentals.exclude(machine__pin="").order_by("machine__fleet_number")
    return ", ".join(numbers.values_list("machine__fleet_number", flat=True)[:5]) or "none"
