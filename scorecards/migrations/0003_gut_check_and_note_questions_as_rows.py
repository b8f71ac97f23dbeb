"""Gut-check and note questions become ordered rubric rows (admins edit them as inline rows, not raw JSON).

Every rubric's JSON is copied into rows in its own order; the guide's rubric gets its template key.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_questions_into_rows(apps, schema_editor):
    Rubric = apps.get_model("scorecards", "Rubric")
    GutCheckQuestion = apps.get_model("scorecards", "GutCheckQuestion")
    NoteQuestion = apps.get_model("scorecards", "NoteQuestion")
    for rubric in Rubric.objects.all():
        GutCheckQuestion.objects.bulk_create(
            GutCheckQuestion(rubric=rubric, order=order, key=key, text=str(text)[:300])
            for order, (key, text) in enumerate((rubric.gut_check_questions or {}).items())
        )
        NoteQuestion.objects.bulk_create(
            NoteQuestion(rubric=rubric, order=order, field=field, text=str(text)[:300])
            for order, (field, text) in enumerate((rubric.note_questions or {}).items())
            if field in NOTE_FIELDS
        )
    Rubric.objects.filter(name__endswith="(guide)").update(key="default_rubric")


def copy_rows_into_questions(apps, schema_editor):
    Rubric = apps.get_model("scorecards", "Rubric")
    for rubric in Rubric.objects.all():
        rubric.gut_check_questions = {q.key: q.text for q in rubric.gut_checks.order_by("order", "id")}
        rubric.note_questions = {q.field: q.text for q in rubric.note_prompts.order_by("order", "id")}
        rubric.save(update_fields=["gut_check_questions", "note_questions"])


NOTE_FIELDS = ("best_thing", "biggest_concern", "vote", "want_to_work_with")


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0002_question_banks"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalrubric",
            name="key",
            field=models.SlugField(
                blank=True,
                help_text="The rubric template this is (e.g. default_rubric, coding_round); the same for every version.",
                max_length=60,
            ),
        ),
        migrations.AddField(
            model_name="rubric",
            name="key",
            field=models.SlugField(
                blank=True,
                help_text="The rubric template this is (e.g. default_rubric, coding_round); the same for every version.",
                max_length=60,
            ),
        ),
        migrations.CreateModel(
            name="GutCheckQuestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(default=0)),
                ("key", models.SlugField(max_length=60)),
                ("text", models.CharField(max_length=300)),
                (
                    "rubric",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="gut_checks", to="scorecards.rubric"
                    ),
                ),
            ],
            options={
                "verbose_name": "gut-check question",
                "ordering": ["order", "id"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(fields=("rubric", "key"), name="gut_check_key_unique_in_rubric")
                ],
            },
        ),
        migrations.CreateModel(
            name="NoteQuestion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(default=0)),
                (
                    "field",
                    models.CharField(
                        choices=[
                            ("best_thing", "Best thing they said"),
                            ("biggest_concern", "Biggest concern"),
                            ("vote", "Your vote"),
                            ("want_to_work_with", "Would you want to work with them?"),
                        ],
                        max_length=20,
                    ),
                ),
                ("text", models.CharField(max_length=300)),
                (
                    "rubric",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="note_prompts", to="scorecards.rubric"
                    ),
                ),
            ],
            options={
                "verbose_name": "note question",
                "ordering": ["order", "id"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(fields=("rubric", "field"), name="note_field_unique_in_rubric")
                ],
            },
        ),
        migrations.RunPython(copy_questions_into_rows, copy_rows_into_questions),
        migrations.RemoveField(
            model_name="historicalrubric",
            name="gut_check_questions",
        ),
        migrations.RemoveField(
            model_name="historicalrubric",
            name="note_questions",
        ),
        migrations.RemoveField(
            model_name="rubric",
            name="gut_check_questions",
        ),
        migrations.RemoveField(
            model_name="rubric",
            name="note_questions",
        ),
    ]
