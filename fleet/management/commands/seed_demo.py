"""`manage.py seed_demo`: build the demo rental company (see fleet/demo.py)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fleet.demo import ensure_role_groups, has_demo_data, seed_demo


class Command(BaseCommand):
    help = "Build a believable Italian rental company: branches, fleet, customers, rentals, crews."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="Random seed (same seed, same company).")
        parser.add_argument("--machines", type=int, default=1500, help="Fleet size.")
        parser.add_argument("--customers", type=int, default=60)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when data already exists.")
        parser.add_argument("--reset", action="store_true", help="Delete ALL data first (flush).")

    def handle(self, *args, seed, machines, customers, if_empty, reset, **options):
        if machines < 1:
            raise CommandError("--machines must be at least 1.")
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            ensure_role_groups()
        elif has_demo_data():
            if if_empty:
                self.stdout.write("Demo data already there; keeping it.")
                return
            raise CommandError("The database already has data. Use --if-empty, or --reset to start over.")
        started = time.perf_counter()
        report = seed_demo(seed=seed, machines=machines, customers=customers)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.branches} branches, {report.categories} categories, "
                f"{report.machines} machines, {report.customers} customers, {report.rentals} rentals, "
                f"{report.technicians} technicians in {elapsed:.1f} s"
            )
        )
