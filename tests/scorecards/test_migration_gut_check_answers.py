"""Migration 0004 moves a scorecard's three fixed gut-check columns into answers keyed by question, history too."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.scorecards.test_migration_questions_rows import latest

BEFORE = [("scorecards", "0003_gut_check_and_note_questions_as_rows")]
AFTER = [("scorecards", "0004_gut_check_answers_by_question")]


@pytest.mark.django_db(transaction=True)
def test_the_three_gut_check_columns_become_answers_by_question_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(with_the_other_apps(executor, BEFORE)).apps
    users = [apps.get_model("auth", "User").objects.create(username=f"mig{n}") for n in range(2)]
    user = users[0]
    rubric = apps.get_model("scorecards", "Rubric").objects.create(name="Guide", version=1)
    candidate = apps.get_model("interviewloop", "Candidate").objects.create(name="Dana")
    position = apps.get_model("interviewloop", "Position").objects.create(title="SRE", rubric=rubric)
    loop = apps.get_model("interviewloop", "Loop").objects.create(
        candidate=candidate, position=position, recruiter=user
    )
    now = timezone.now()
    interviews = [
        apps.get_model("interviewloop", "Interview").objects.create(
            loop=loop,
            interviewer=interviewer,
            rubric=rubric,
            scheduled_start=now,
            scheduled_end=now + timedelta(hours=1),
        )
        for interviewer in users
    ]
    scorecard = apps.get_model("scorecards", "Scorecard")
    answered = scorecard.objects.create(
        interview=interviews[0], gut_work_with="yes", gut_trust_day_one="not_sure", gut_month_one_success=""
    )
    blank = scorecard.objects.create(interview=interviews[1])
    history = apps.get_model("scorecards", "HistoricalScorecard")
    history.objects.create(
        id=answered.pk, interview_id=interviews[0].pk, status="draft", gut_work_with="no", history_date=now,
        history_type="+", updated_at=now,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(with_the_other_apps(executor, AFTER)).apps
    scorecard = apps.get_model("scorecards", "Scorecard")
    assert scorecard.objects.get(pk=answered.pk).gut_check == {"work_with": "yes", "trust_day_one": "not_sure"}
    assert scorecard.objects.get(pk=blank.pk).gut_check == {}
    assert apps.get_model("scorecards", "HistoricalScorecard").objects.get().gut_check == {"work_with": "no"}

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # and back: the columns hold the answers again
    old = (
        executor.loader.project_state(with_the_other_apps(executor, BEFORE))
        .apps.get_model("scorecards", "Scorecard")
        .objects.get(pk=answered.pk)
    )
    assert (old.gut_work_with, old.gut_trust_day_one, old.gut_month_one_success) == ("yes", "not_sure", "")
    MigrationExecutor(connection).migrate(latest())


def with_the_other_apps(executor, targets):
    """The state at `targets` with every other app as far as it goes without a later scorecards migration (the
    interviews' own migrations are needed; interviewloop 0008_rounds needs scorecards 0005, so it is left out)."""
    graph = executor.loader.graph
    reached = {node for target in targets for node in graph.forwards_plan(target)}
    later = {node for node in graph.nodes if node[0] == "scorecards"} - reached
    others = [node for node in graph.nodes if node[0] != "scorecards" and not later & set(graph.forwards_plan(node))]
    return [*targets, *others]
