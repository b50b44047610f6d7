import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Every run names the version it scored and the answer snapshot it read: the runs that
    predate those fields were never released."""

    dependencies = [
        ("scoring", "0007_score_run_human_review_required"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scorerun",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="assessments.assessmentversion",
            ),
        ),
        migrations.AlterField(
            model_name="scorerun",
            name="inputs",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="runs",
                to="scoring.scoreinput",
            ),
        ),
    ]
