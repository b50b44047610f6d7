"""Erasure may redact a score run's breakdown once; the trigger allows that and nothing more.

A run stays append-only, except for one transition: ``redacted_at`` goes from null to a time,
``breakdown_json`` and ``redacted_sha256`` change with it, and every other column stays as it
was. That is how erasure removes the candidate's words (matched phrases, n-grams) from runs
stored before the engine stopped writing them, while the scores and the original hash stay.
"""

from django.db import migrations, models

ALLOW_REDACTION = """
CREATE OR REPLACE FUNCTION skillproof_score_run_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
     AND (to_jsonb(NEW) - 'breakdown_json' - 'redacted_at' - 'redacted_sha256')
         = (to_jsonb(OLD) - 'breakdown_json' - 'redacted_at' - 'redacted_sha256') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'score run % is append-only: record a new run instead', OLD.id
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION skillproof_score_run_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'score run % is append-only: record a new run instead', OLD.id
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _run_sql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("scoring", "0003_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="scorerun",
            name="redacted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="scorerun",
            name="redacted_sha256",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(_run_sql(ALLOW_REDACTION), _run_sql(APPEND_ONLY)),
    ]
