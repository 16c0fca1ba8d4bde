"""Every rental that predates lines gets one: its machine, on hire from the rental's start (off hire
at its end if it has ended). Hour meters and rates were never recorded, so they stay empty."""

from django.db import migrations


def open_lines(apps, schema_editor):
    Rental = apps.get_model("fleet", "Rental")
    RentalLine = apps.get_model("contracts", "RentalLine")
    without_lines = Rental.objects.filter(lines__isnull=True).values_list("pk", "machine_id", "starts_at", "ends_at", "status")
    batch = []
    for pk, machine_id, starts_at, ends_at, status in without_lines.iterator(chunk_size=2000):
        ended = status == "ended" and ends_at is not None
        batch.append(
            RentalLine(rental_id=pk, machine_id=machine_id, on_hire_at=starts_at, off_hire_at=ends_at if ended else None)
        )
        if len(batch) >= 2000:
            RentalLine.objects.bulk_create(batch)
            batch = []
    RentalLine.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("fleet", "0001_initial")]

    operations = [migrations.RunPython(open_lines, migrations.RunPython.noop)]
