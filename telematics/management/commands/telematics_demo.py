"""Give the demo company's trackers a first report each (make run calls this after seed_demo)."""

from django.core.management.base import BaseCommand

from telematics import demo
from telematics.models import MachineState


class Command(BaseCommand):
    help = "Demo telematics: a push provider and one report from every machine with a tracker."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when machines have reported.")

    def handle(self, *args, if_empty, **options):
        if if_empty and MachineState.objects.exists():
            return
        result = demo.demo_reports_seed()
        self.stdout.write(f"Telematics: {result.accepted} machines reported through the demo trackers.")
