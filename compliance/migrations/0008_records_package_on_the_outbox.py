"""A records package is an outbox row: the one sweeper sends its build again if the message
is lost, with the one retry policy."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0007_published_audit_immutable_and_policies"),
    ]

    operations = [
        migrations.RenameField(
            model_name="recordspackage",
            old_name="error",
            new_name="last_error",
        ),
        migrations.AddField(
            model_name="recordspackage",
            name="enqueue_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="recordspackage",
            name="enqueued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="recordspackage",
            name="retries",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="recordspackage",
            name="state",
            field=models.CharField(
                choices=[("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
                default="pending",
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="recordspackage",
            index=models.Index(fields=["state", "enqueued_at"], name="recordspackage_outbox_due"),
        ),
    ]
