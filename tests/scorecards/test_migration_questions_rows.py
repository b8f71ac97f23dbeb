"""Migration 0003 turns each rubric's gut-check and note-question JSON into ordered rows, losing nothing."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scorecards", "0002_question_banks")]
AFTER = [("scorecards", "0003_gut_check_and_note_questions_as_rows")]


@pytest.fixture
def back_to_the_latest():
    """Migrate forward to every app's latest afterwards: later migrations (of this app or one depending on it) were
    unapplied by going back to 0002, and the tests after this one need their columns."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_json_questions_of_every_rubric_become_ordered_rows(back_to_the_latest):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("scorecards", "Rubric")
    guide = old.objects.create(
        name="Guide (guide)",
        gut_check_questions={"work_with": "Work with them?", "trust_day_one": "Trust on day one?"},
        note_questions={"vote": "Your vote?", "best_thing": "Best thing?", "not_a_field": "dropped"},
    )
    other = old.objects.create(name="Other", version=1, gut_check_questions={}, note_questions={})

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rubric = new.get_model("scorecards", "Rubric")
    gut = new.get_model("scorecards", "GutCheckQuestion")
    note = new.get_model("scorecards", "NoteQuestion")
    assert list(gut.objects.filter(rubric_id=guide.pk).order_by("order").values_list("key", "text")) == [
        ("work_with", "Work with them?"),
        ("trust_day_one", "Trust on day one?"),
    ]
    assert list(note.objects.filter(rubric_id=guide.pk).order_by("order").values_list("field", "text")) == [
        ("vote", "Your vote?"),
        ("best_thing", "Best thing?"),
    ]
    assert not gut.objects.filter(rubric_id=other.pk).exists()
    assert rubric.objects.get(pk=guide.pk).key == "default_rubric"
    assert rubric.objects.get(pk=other.pk).key == ""
    MigrationExecutor(connection).migrate(latest())  # leave the schema as the other tests expect it


def latest():
    """Every app's latest migration: going back unapplied those that depend on a later scorecards one too."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
