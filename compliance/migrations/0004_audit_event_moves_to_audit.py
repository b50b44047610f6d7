"""The audit log now belongs to the audit app; its table stays where it is (state only)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0003_demographics_erasure"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
