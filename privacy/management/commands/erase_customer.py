"""`manage.py erase_customer <id>`: answer an erasure request (docs/personal-data.md)."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.models import AuditChannel
from fleet.models import Customer
from privacy.errors import ErasureRefused
from privacy.services import customer_erase


class Command(BaseCommand):
    help = (
        "Anonymise a customer's personal data (name, company, mobile, SMS texts, job sites, "
        "quoted messages) while keeping every recovery figure. Refused while an incident is open."
    )

    def add_arguments(self, parser):
        parser.add_argument("customer_id", type=int)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--by", help="Username of the person who handled the request, for the audit log.")

    def handle(self, *args, customer_id: int, yes: bool, by: str | None, **options):
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise CommandError(f"There is no customer #{customer_id}.")
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"There is no user {by!r} (--by).")
        if not yes:
            answer = input(
                f"Erase the personal data of customer #{customer.pk} ({customer})? "
                "This cannot be undone. Type 'yes': "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased.")
        try:
            report = customer_erase(
                customer=customer,
                by=user,
                channel=AuditChannel.COMMAND,
                actor_name=by or f"shell:{getpass.getuser()}",
            )
        except ErasureRefused as exc:
            raise CommandError(exc.message) from exc
        done = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in report.counts.items())
        if report.already_erased:
            self.stdout.write(f"Customer #{report.customer_id} was already erased; checked again ({done}).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Customer #{report.customer_id} erased ({done})."))
