"""`manage.py seed_history`: six months of incidents through the real services (console/demo_history.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from console.demo_history import seed_history
from recovery.models import Incident


class Command(BaseCommand):
    help = "Run months of breakdowns through the real services on a driven clock, then open a busy morning."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="Random seed (same seed, same story).")
        parser.add_argument("--incidents", type=int, default=1500)
        parser.add_argument("--days", type=int, default=180)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when incidents already exist."
        )

    def handle(self, *args, seed, incidents, days, if_empty, **options):
        if Incident.objects.exists():
            if if_empty:
                self.stdout.write("Incidents already there; keeping them.")
                return
            raise CommandError(
                "The database already has incidents. Use --if-empty, or seed_demo --reset first."
            )
        started = time.perf_counter()
        try:
            report = seed_history(seed=seed, incidents=incidents, days=days)
        except Exception as exc:  # the demo company must exist first
            raise CommandError(
                f"Could not build the history ({exc}). Run `manage.py seed_demo` first."
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"History: {report.incidents} incidents over {days} days ({report.recovered} recovered, "
                f"{report.cancelled} cancelled, {report.skipped} skipped), {report.open} open now, "
                f"in {time.perf_counter() - started:.1f} s"
            )
        )
