"""An erasure names its data.erased event by the event itself: sequence numbers now come later."""

import django.db.models.deletion
from django.db import migrations, models


def link_events(apps, schema_editor):
    ErasureRecord = apps.get_model("compliance", "ErasureRecord")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for record in ErasureRecord.objects.all():
        record.audit_event = AuditEvent.objects.get(seq=record.audit_seq)
        record.save(update_fields=["audit_event"])


def unlink_events(apps, schema_editor):
    ErasureRecord = apps.get_model("compliance", "ErasureRecord")
    for record in ErasureRecord.objects.select_related("audit_event"):
        record.audit_seq = record.audit_event.seq
        record.save(update_fields=["audit_seq"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_sequenced_by_a_merkle_log"),
        ("compliance", "0004_audit_event_moves_to_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="erasurerecord",
            name="audit_event",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="audit.auditevent",
                help_text="The data.erased event in the audit log.",
            ),
        ),
        migrations.AlterField(
            model_name="erasurerecord",
            name="audit_seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.RunPython(link_events, unlink_events),
        migrations.RemoveField(model_name="erasurerecord", name="audit_seq"),
        migrations.AlterField(
            model_name="erasurerecord",
            name="audit_event",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="audit.auditevent",
                help_text="The data.erased event in the audit log.",
            ),
        ),
    ]
