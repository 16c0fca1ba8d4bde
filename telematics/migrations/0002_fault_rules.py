"""Sensible defaults for the fault rules, by lamp and for a few J1939 codes that mean a machine
is (or is about to be) down. Admins edit them in the admin afterwards."""

from django.db import migrations

RULES = [
    # (spn, fmi, severity, action, debounce minutes, note)
    (None, None, "info", "nothing", 60, "Information lamps: kept in the log only."),
    (None, None, "amber", "notify_branch", 60, "Warning lamp: the branch's workshop looks at it."),
    (None, None, "red", "suspect_incident", 30, "Red lamp: likely a breakdown, the desk confirms."),
    (None, None, "stop", "suspect_incident", 15, "Stop lamp: the operator must shut down now."),
    (110, 0, "", "suspect_incident", 30, "Engine coolant temperature too high: overheating."),
    (100, 1, "", "suspect_incident", 15, "Engine oil pressure too low: the engine will be damaged."),
    (190, 0, "", "suspect_incident", 30, "Engine overspeed."),
    (168, 1, "", "notify_branch", 240, "Battery voltage low: a flat battery, not a breakdown yet."),
    (96, 1, "", "nothing", 240, "Fuel level low: the customer's business."),
    (5246, 0, "", "notify_branch", 240, "SCR/DEF inducement: derate ahead, top up AdBlue."),
]


def seed(apps, schema_editor):
    FaultRule = apps.get_model("telematics", "FaultRule")
    for spn, fmi, severity, action, debounce, note in RULES:
        FaultRule.objects.get_or_create(
            spn=spn,
            fmi=fmi,
            severity=severity,
            defaults={"action": action, "debounce_minutes": debounce, "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("telematics", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
