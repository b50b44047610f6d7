"""PostgreSQL refuses any UPDATE of a published version's content or hash."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION skillproof_version_immutable() RETURNS trigger AS $$
BEGIN
  IF NEW.content IS DISTINCT FROM OLD.content OR NEW.content_sha256 IS DISTINCT FROM OLD.content_sha256 THEN
    RAISE EXCEPTION 'assessment version % is published and immutable', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessments_version_immutable
  BEFORE UPDATE ON assessments_assessmentversion
  FOR EACH ROW EXECUTE FUNCTION skillproof_version_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS assessments_version_immutable ON assessments_assessmentversion;
DROP FUNCTION IF EXISTS skillproof_version_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
