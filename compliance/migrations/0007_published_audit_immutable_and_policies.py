"""A published bias audit is immutable (PostgreSQL refuses updates and deletes), and the named
retention policies most deployers need are there from the start (editable in the admin).

The periods are the rules' own minimums; none applies to an assessment until it is chosen there
(or marked as applying to every assessment).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION skillproof_published_bias_audit_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'published bias audit % is immutable: publish a new one instead', OLD.id
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER compliance_published_bias_audit_immutable
  BEFORE UPDATE OR DELETE ON compliance_publishedbiasaudit
  FOR EACH ROW EXECUTE FUNCTION skillproof_published_bias_audit_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS compliance_published_bias_audit_immutable ON compliance_publishedbiasaudit;
DROP FUNCTION IF EXISTS skillproof_published_bias_audit_immutable();
"""

POLICIES = [
    {
        "name": "EU AI Act: logs at least 6 months",
        "basis": "Regulation (EU) 2024/1689 Art. 12, 19 and 26(6): automatically generated logs "
        "of a high-risk system (Annex III point 4, employment) kept at least six months.",
        "keep_days": 183,
        "covers_audit_log": True,
        "covers_score_records": True,
    },
    {
        "name": "California: ADS records 4 years",
        "basis": "California Civil Rights Council employment regulations on automated-decision "
        "systems (in force 1 October 2025): applications, selection criteria and automated-"
        "decision system data, inputs and outputs, kept four years.",
        "keep_days": 1461,
        "covers_personal_data": True,
        "covers_answers": True,
        "covers_score_records": True,
        "covers_audit_log": True,
    },
    {
        "name": "Colorado: records 3 years",
        "basis": "Colorado SB 26-189: records of an automated decision in employment kept "
        "three years.",
        "keep_days": 1096,
        "covers_personal_data": True,
        "covers_answers": True,
        "covers_score_records": True,
        "covers_audit_log": True,
    },
    {
        "name": "NYC Local Law 144: published summary",
        "basis": "6 RCNY § 5-303: the summary of the bias audit stays posted at least six months "
        "after the tool was last used.",
        "keep_days": 183,
        "covers_published_audits": True,
    },
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


def seed_policies(apps, schema_editor):
    RetentionPolicy = apps.get_model("compliance", "RetentionPolicy")
    for policy in POLICIES:
        RetentionPolicy.objects.get_or_create(name=policy["name"], defaults=policy)


def remove_policies(apps, schema_editor):
    RetentionPolicy = apps.get_model("compliance", "RetentionPolicy")
    RetentionPolicy.objects.filter(name__in=[policy["name"] for policy in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0006_published_audits_retention_records")]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
        migrations.RunPython(seed_policies, remove_policies),
    ]
