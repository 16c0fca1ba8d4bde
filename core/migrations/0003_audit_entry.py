"""The audit log's model moves from privacy to core (state only: the table stays as it is), so that
fleet, recovery and notifications can record views without depending on the privacy app."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_roles"),
        ("privacy", "0001_audit_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField()),
                        ("actor_name", models.CharField(blank=True, max_length=150)),
                        ("action", models.CharField(choices=[("view", "Viewed"), ("create", "Created"), ("update", "Changed"), ("delete", "Deleted"), ("erase", "Erased"), ("export", "Exported")], max_length=8)),
                        ("channel", models.CharField(choices=[("api", "API"), ("console", "Dispatcher console"), ("admin", "Django admin"), ("command", "Management command")], max_length=8)),
                        ("customer_id", models.BigIntegerField(blank=True, null=True)),
                        ("customer_ids", models.JSONField(blank=True, default=list)),
                        ("object_type", models.CharField(max_length=40)),
                        ("object_id", models.CharField(blank=True, max_length=40)),
                        ("fields", models.JSONField(blank=True, default=list)),
                        ("request_id", models.CharField(blank=True, max_length=128)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "privacy_auditentry",
                        "verbose_name_plural": "audit entries",
                        "ordering": ["-at", "-id"],
                        "indexes": [
                            models.Index(fields=["customer_id", "at"], name="audit_customer_at"),
                            models.Index(fields=["at"], name="audit_at"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
