"""The scorecard's gut-check answers keyed by the pinned rubric's questions ({key: answer}), not three fixed
columns: a rubric's gut check is its own GutCheckQuestion rows. Existing answers (and their history) are copied
under the guide's keys, which the guide's rubric keeps."""

from django.db import migrations, models

OLD_COLUMNS = {
    "work_with": "gut_work_with",
    "trust_day_one": "gut_trust_day_one",
    "month_one_success": "gut_month_one_success",
}


def columns_to_answers(apps, schema_editor):
    for name in ("Scorecard", "HistoricalScorecard"):
        model = apps.get_model("scorecards", name)
        changed = []
        for row in model.objects.all().iterator():
            answers = {key: getattr(row, column) for key, column in OLD_COLUMNS.items() if getattr(row, column)}
            if answers:
                row.gut_check = answers
                changed.append(row)
        model.objects.bulk_update(changed, ["gut_check"], batch_size=500)


def answers_to_columns(apps, schema_editor):
    for name in ("Scorecard", "HistoricalScorecard"):
        model = apps.get_model("scorecards", name)
        changed = []
        for row in model.objects.exclude(gut_check={}).iterator():
            for key, column in OLD_COLUMNS.items():
                setattr(row, column, (row.gut_check or {}).get(key, ""))
            changed.append(row)
        model.objects.bulk_update(changed, list(OLD_COLUMNS.values()), batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0003_gut_check_and_note_questions_as_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalscorecard",
            name="gut_check",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The gut-check answers, {question key: yes / no / not_sure}, keyed by the pinned rubric's questions.",
            ),
        ),
        migrations.AddField(
            model_name="scorecard",
            name="gut_check",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The gut-check answers, {question key: yes / no / not_sure}, keyed by the pinned rubric's questions.",
            ),
        ),
        migrations.RunPython(columns_to_answers, answers_to_columns),
        migrations.RemoveField(
            model_name="historicalscorecard",
            name="gut_month_one_success",
        ),
        migrations.RemoveField(
            model_name="historicalscorecard",
            name="gut_trust_day_one",
        ),
        migrations.RemoveField(
            model_name="historicalscorecard",
            name="gut_work_with",
        ),
        migrations.RemoveField(
            model_name="scorecard",
            name="gut_month_one_success",
        ),
        migrations.RemoveField(
            model_name="scorecard",
            name="gut_trust_day_one",
        ),
        migrations.RemoveField(
            model_name="scorecard",
            name="gut_work_with",
        ),
    ]
