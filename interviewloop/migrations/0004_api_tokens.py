"""API tokens move to django-rest-knox: hashed and expiring (interviewloop.tokens.ApiToken).

Tokens issued before (DRF's `authtoken_token`, stored in plain text, never expiring) are carried over as
their digests, valid for API_TOKEN_TTL_HOURS from now, so no client is cut off without notice; then that
table, the last plain-text copy of every token, is dropped and DRF's authtoken app is forgotten.
"""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

DRF_TOKEN_TABLE = "authtoken_token"


def carry_over_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TOKEN_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("interviewloop", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id FROM {DRF_TOKEN_TABLE}")
        rows = cursor.fetchall()
    expiry = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    ApiToken.objects.using(connection.alias).bulk_create(
        [
            ApiToken(digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=expiry)
            for key, user_id in rows
        ]
    )
    schema_editor.execute(schema_editor.sql_delete_table % {"table": schema_editor.quote_name(DRF_TOKEN_TABLE)})
    MigrationRecorder(connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interviewloop", "0003_role_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("digest", models.CharField(max_length=128, primary_key=True, serialize=False)),
                ("token_key", models.CharField(db_index=True, max_length=25)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("expiry", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="auth_token_set",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "API token", "ordering": ["-created"]},
        ),
        migrations.RunPython(carry_over_drf_tokens, migrations.RunPython.noop),
    ]
