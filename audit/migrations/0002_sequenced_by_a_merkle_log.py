"""Events are appended unsequenced and a sequencer builds the RFC 9162 Merkle log over them.

The append-only trigger now lets exactly one update through: the sequencer setting a pending
event's sequence number and hashes, once, leaving its content as it was; and an insert only
of a pending event. Events sequenced
before get their leaf hash here; tree heads are append-only too.
"""

from django.db import migrations, models

from audit.merkle import leaf_hash
from audit.services import event_bytes

SEQUENCE_ONCE = """
CREATE OR REPLACE FUNCTION skillproof_audit_sequence_once() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.seq IS NULL AND NEW.event_hash IS NULL THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are recorded pending: only the sequencer numbers them'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND NEW.id = OLD.id AND NEW.occurred_at = OLD.occurred_at AND NEW.actor = OLD.actor
     AND NEW.action = OLD.action AND NEW.subject = OLD.subject AND NEW.payload = OLD.payload THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS compliance_auditevent_append_only ON compliance_auditevent;
CREATE TRIGGER compliance_auditevent_append_only
  BEFORE INSERT OR UPDATE OR DELETE ON compliance_auditevent
  FOR EACH ROW EXECUTE FUNCTION skillproof_audit_sequence_once();
CREATE TRIGGER audit_treehead_append_only
  BEFORE UPDATE OR DELETE ON audit_treehead
  FOR EACH ROW EXECUTE FUNCTION skillproof_audit_append_only();
"""

APPEND_ONLY = """
DROP TRIGGER IF EXISTS compliance_auditevent_append_only ON compliance_auditevent;
CREATE TRIGGER compliance_auditevent_append_only
  BEFORE UPDATE OR DELETE ON compliance_auditevent
  FOR EACH ROW EXECUTE FUNCTION skillproof_audit_append_only();
DROP FUNCTION IF EXISTS skillproof_audit_sequence_once();
"""

LIFT_TRIGGER = "DROP TRIGGER IF EXISTS compliance_auditevent_append_only ON compliance_auditevent;"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


def fill_leaf_hashes(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for event in AuditEvent.objects.filter(seq__isnull=False).iterator(chunk_size=2000):
        AuditEvent.objects.filter(pk=event.pk).update(leaf_hash=leaf_hash(event_bytes(event)).hex())


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        # The old trigger refuses the leaf-hash backfill; SEQUENCE_ONCE puts one back below.
        migrations.RunPython(_on_postgresql(LIFT_TRIGGER), _on_postgresql(APPEND_ONLY)),
        migrations.CreateModel(
            name="TreeHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("tree_size", models.PositiveBigIntegerField(unique=True)),
                ("root_hash", models.CharField(max_length=64)),
                (
                    "timestamp",
                    models.PositiveBigIntegerField(help_text="Milliseconds since the Unix epoch."),
                ),
                ("signature", models.CharField(help_text="Ed25519, base64", max_length=100)),
                ("key_id", models.CharField(max_length=40)),
                (
                    "frontier",
                    models.JSONField(help_text="Hex roots of the perfect subtrees, largest first."),
                ),
            ],
            options={
                "ordering": ["tree_size"],
            },
        ),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["seq", "id"]}),
        migrations.AddField(
            model_name="auditevent",
            name="leaf_hash",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="event_hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(
                blank=True, help_text="Empty while the event is pending.", null=True, unique=True
            ),
        ),
        migrations.RunPython(fill_leaf_hashes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_event_pending"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("event_hash__isnull", True),
                        ("leaf_hash", ""),
                        ("prev_hash", ""),
                        ("seq__isnull", True),
                    ),
                    models.Q(
                        ("event_hash__isnull", False),
                        ("seq__isnull", False),
                        models.Q(("prev_hash", ""), _negated=True),
                        models.Q(("leaf_hash", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="audit_event_sequenced_whole",
            ),
        ),
        migrations.RunPython(_on_postgresql(SEQUENCE_ONCE), _on_postgresql(LIFT_TRIGGER)),
    ]
