"""Share links keep only their token's hash; a learner record can be deleted on erasure.

Existing share links keep working: each stored token is replaced by its hash, which is what a
visit to the link now looks up. Going back is refused: the tokens cannot be recovered.
"""

import django.db.models.deletion
from django.db import migrations, models

from assessments.tokens import hash_token


def hash_share_tokens(apps, schema_editor):
    ShareLink = apps.get_model("credentials", "ShareLink")
    for pk, token in ShareLink.objects.values_list("pk", "token_hash").iterator():
        ShareLink.objects.filter(pk=pk).update(token_hash=hash_token(token))


class Migration(migrations.Migration):
    dependencies = [("credentials", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="credential",
            name="record",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="credentials",
                to="credentials.learnerrecord",
            ),
        ),
        migrations.RenameField(model_name="sharelink", old_name="token", new_name="token_hash"),
        migrations.RunPython(hash_share_tokens),
    ]
