"""The audit log moves here from compliance: the same table (compliance_auditevent) and trigger.

State only: on a database where compliance created the table, nothing is copied or rebuilt. The
content type is renamed so admin history keeps pointing at the events.
"""

from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="compliance", model="auditevent").update(app_label="audit")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label="compliance", model="auditevent").exists():
        # Recreated meanwhile by a post-migrate signal: the audit one is the stale one.
        ContentType.objects.filter(app_label="audit", model="auditevent").delete()
        return
    ContentType.objects.filter(app_label="audit", model="auditevent").update(app_label="compliance")


class Migration(migrations.Migration):
    initial = True

    # The table and its append-only trigger were created by compliance's first migrations.
    dependencies = [
        ("compliance", "0002_audit_append_only_trigger"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("seq", models.PositiveBigIntegerField(unique=True)),
                        ("occurred_at", models.DateTimeField()),
                        (
                            "actor",
                            models.CharField(
                                help_text="user:<id>, candidate:<attempt>, or system",
                                max_length=200,
                            ),
                        ),
                        ("action", models.CharField(db_index=True, max_length=80)),
                        ("subject", models.CharField(db_index=True, max_length=200)),
                        ("payload", models.TextField(help_text="Canonical JSON")),
                        ("prev_hash", models.CharField(max_length=64)),
                        ("event_hash", models.CharField(max_length=64, unique=True)),
                    ],
                    options={"db_table": "compliance_auditevent", "ordering": ["seq"]},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
