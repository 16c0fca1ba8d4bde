"""The customer's recovery record stores percentages (0-100) computed by recovery.figures, like the
loyalty page, instead of 0-1 rates computed another way."""

from django.db import migrations
from django.db.models import F


def rates_to_percentages(apps, schema_editor):
    record = apps.get_model("recovery", "CustomerRecoveryRecord")
    record.objects.filter(sla_met_pct__isnull=False).update(sla_met_pct=F("sla_met_pct") * 100)
    record.objects.filter(promises_kept_pct__isnull=False).update(promises_kept_pct=F("promises_kept_pct") * 100)


def percentages_to_rates(apps, schema_editor):
    record = apps.get_model("recovery", "CustomerRecoveryRecord")
    record.objects.filter(sla_met_pct__isnull=False).update(sla_met_pct=F("sla_met_pct") / 100)
    record.objects.filter(promises_kept_pct__isnull=False).update(promises_kept_pct=F("promises_kept_pct") / 100)


class Migration(migrations.Migration):
    dependencies = [("recovery", "0002_accepted_at_job_photos")]

    operations = [
        migrations.RenameField("customerrecoveryrecord", "sla_met_rate", "sla_met_pct"),
        migrations.RenameField("customerrecoveryrecord", "promises_kept_rate", "promises_kept_pct"),
        migrations.RunPython(rates_to_percentages, percentages_to_rates),
    ]
