"""The audit log's model now lives in core (core.0003); its table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_audit_log"), ("core", "0003_audit_entry")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AuditEntry")]),
    ]
