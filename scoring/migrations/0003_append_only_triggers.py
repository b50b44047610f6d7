"""PostgreSQL refuses to change or delete a score run, and to change a model's artifact.

Score runs are what an auditor replays: a re-score adds a run, it never edits one. A text
model's bytes, hashes and metrics are fixed once trained; only ``active``/``activated_at``
may change (activation and deactivation are audited).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION skillproof_score_run_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'score run % is append-only: record a new run instead', OLD.id
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER scoring_score_run_append_only
  BEFORE UPDATE OR DELETE ON scoring_scorerun
  FOR EACH ROW EXECUTE FUNCTION skillproof_score_run_append_only();

CREATE OR REPLACE FUNCTION skillproof_text_model_frozen() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'text model % is kept for replay and cannot be deleted', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.artifact IS DISTINCT FROM OLD.artifact
     OR NEW.sha256 IS DISTINCT FROM OLD.sha256
     OR NEW.training_set_sha256 IS DISTINCT FROM OLD.training_set_sha256
     OR NEW.criterion_key IS DISTINCT FROM OLD.criterion_key
     OR NEW.version_id IS DISTINCT FROM OLD.version_id
     OR NEW.cv_qwk IS DISTINCT FROM OLD.cv_qwk
     OR NEW.cv_exact_agreement IS DISTINCT FROM OLD.cv_exact_agreement
     OR NEW.accepted IS DISTINCT FROM OLD.accepted THEN
    RAISE EXCEPTION 'text model % is frozen: train a new one instead', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER scoring_text_model_frozen
  BEFORE UPDATE OR DELETE ON scoring_textmodel
  FOR EACH ROW EXECUTE FUNCTION skillproof_text_model_frozen();
"""

DROP = """
DROP TRIGGER IF EXISTS scoring_score_run_append_only ON scoring_scorerun;
DROP FUNCTION IF EXISTS skillproof_score_run_append_only();
DROP TRIGGER IF EXISTS scoring_text_model_frozen ON scoring_textmodel;
DROP FUNCTION IF EXISTS skillproof_text_model_frozen();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_inputs_models_review")]

    operations = [migrations.RunPython(forwards, backwards)]
