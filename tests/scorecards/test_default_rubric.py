"""The default rubric fixture is the client's interviewer guide, loaded as a published version."""

import pytest
from django.core.management import call_command

from scorecards.models import Dimension, RedFlag, Rubric, RubricNotEditable

DIMENSION_KEYS = [
    "systems_thinking",
    "customer_empathy",
    "measurement",
    "risk_management",
    "execution_bias",
    "communication",
    "humility",
    "experience",
]
RED_FLAG_KEYS = [
    "buzzword_soup",
    "no_curiosity",
    "overconfident",
    "no_failure_mode",
    "production_blindness",
    "defensive",
    "name_dropping",
    "analysis_paralysis",
]
THREAD_KEYS = [
    "defining_the_problem",
    "metrics_and_measurement",
    "prevention_vs_reaction",
    "blast_radius_and_rollout_safety",
    "ownership_and_continuous_improvement",
    "customer_segmentation",
    "first_two_weeks",
]


@pytest.fixture
def rubric():
    call_command("loaddata", "default_rubric", verbosity=0)
    return Rubric.objects.get(pk=1)


@pytest.mark.django_db
def test_loads_as_published_version_one(rubric):
    assert rubric.status == Rubric.Status.PUBLISHED
    assert rubric.published_at is not None
    assert rubric.version == 1
    assert not rubric.is_editable
    assert rubric.role == "Senior Pam Core Engineer (LLM Reliability)"
    assert rubric.description.startswith("This is not a trick question. This is free consulting.")
    assert rubric.description.endswith("You're not testing knowledge. You're testing judgment.")


@pytest.mark.django_db
def test_parts_counts_and_keys_in_guide_order(rubric):
    assert list(rubric.dimensions.values_list("key", flat=True)) == DIMENSION_KEYS
    assert list(rubric.red_flags.values_list("key", flat=True)) == RED_FLAG_KEYS
    assert list(rubric.threads.values_list("key", flat=True)) == THREAD_KEYS
    assert list(rubric.phases.values_list("name", flat=True)) == ["Setup", "Let Them Lead", "Thread-Pulling"]


@pytest.mark.django_db
def test_critical_and_required_dimensions(rubric):
    critical = set(rubric.dimensions.filter(critical=True).values_list("key", flat=True))
    assert critical == {"systems_thinking", "risk_management", "execution_bias"}
    not_required = set(rubric.dimensions.filter(required=False).values_list("key", flat=True))
    assert not_required == {"experience"}


@pytest.mark.django_db
def test_every_dimension_has_name_description_and_three_anchors(rubric):
    for dimension in rubric.dimensions.all():
        assert dimension.name, dimension.key
        assert dimension.description, dimension.key
        assert dimension.anchor_5, dimension.key
        assert dimension.anchor_3, dimension.key
        assert dimension.anchor_1, dimension.key


@pytest.mark.django_db
def test_dimension_anchors_are_the_guide_wording(rubric):
    systems = rubric.dimensions.get(key="systems_thinking")
    assert systems.name == "Systems Thinking"
    assert systems.anchor_5 == "Loops, prevention, ownership, continuous improvement"
    assert systems.anchor_3 == "Some systems intuition but gaps"
    assert systems.anchor_1 == "Task-oriented, fixes not systems"
    risk = rubric.dimensions.get(key="risk_management")
    assert risk.anchor_1 == '"Ship and monitor" mentality'
    experience = rubric.dimensions.get(key="experience")
    assert experience.anchor_5 == "Clear they've done this (bonus)"
    assert experience.description == "Bonus if they've done it, not required"


@pytest.mark.django_db
def test_every_red_flag_has_what_it_sounds_like_and_why(rubric):
    for flag in rubric.red_flags.all():
        assert flag.name, flag.key
        assert flag.sounds_like, flag.key
        assert flag.why_dangerous, flag.key
    blindness = rubric.red_flags.get(key="production_blindness")
    assert blindness.name == "Production blindness"
    assert blindness.sounds_like == '"Deploy to everyone and monitor"'
    assert blindness.why_dangerous == "Treats prod like playground. Will cause outages"
    assert rubric.red_flags.get(key="buzzword_soup").sounds_like == (
        '"We\'d build dashboards, collect feedback, iterate on quality."'
    )


@pytest.mark.django_db
def test_every_thread_is_complete(rubric):
    for thread in rubric.threads.all():
        assert thread.title, thread.key
        assert thread.when_to_pull, thread.key
        assert thread.what_to_ask, thread.key
        assert thread.why_it_matters, thread.key
        assert thread.great_example, thread.key
        assert thread.great_signals, thread.key
        assert thread.okay_example, thread.key
        assert thread.bad_example, thread.key
        assert "✅" not in thread.great_signals
        assert not any(line.startswith(">") for line in thread.great_example.splitlines())


@pytest.mark.django_db
def test_thread_wording_from_the_guide(rubric):
    first = rubric.threads.get(key="defining_the_problem")
    assert first.title == "Defining the Problem"
    assert first.when_to_pull.splitlines() == [
        "- They jumped straight to solutions",
        "- They didn't ask what \"doesn't feel good\" means",
        "- They assumed they know what the problem is",
    ]
    assert "what do you think 'doesn't feel good' actually means?" in first.what_to_ask
    assert first.great_signals.splitlines()[0] == "Admits they don't know yet"
    assert "this is just one bad call" in first.follow_up
    assert rubric.threads.get(key="first_two_weeks").title == "The First Two Weeks"
    rollout = rubric.threads.get(key="blast_radius_and_rollout_safety")
    assert rollout.bad_example == '"Deploy to everyone and monitor. If there are problems, we\'ll fix them."'
    assert "Phase 0: Define rollback criteria upfront" in rollout.great_example
    assert rubric.threads.get(key="metrics_and_measurement").follow_up == ""


@pytest.mark.django_db
def test_problem_statement_is_the_text_to_paste(rubric):
    statement = rubric.problem_statement
    assert statement.startswith("Imagine you're responsible for an AI voice assistant")
    assert "Walk me through how you'd think about this end to end." in statement
    assert "- New customers don't churn during onboarding" in statement
    assert "> " not in statement
    assert "**" not in statement


@pytest.mark.django_db
def test_phases_timeboxes_and_guidance(rubric):
    phases = {phase.name: phase for phase in rubric.phases.all()}
    assert (phases["Setup"].minutes_min, phases["Setup"].minutes_max) == (5, 5)
    assert (phases["Let Them Lead"].minutes_min, phases["Let Them Lead"].minutes_max) == (10, 15)
    assert (phases["Thread-Pulling"].minutes_min, phases["Thread-Pulling"].minutes_max) == (30, 40)
    assert "I'm going to paste a problem into this doc." in phases["Setup"].guidance
    assert "Your job: SHUT UP." in phases["Let Them Lead"].guidance
    assert (
        "Wait at least 10 minutes before you say anything, unless they ask you a question."
        in phases["Let Them Lead"].guidance
    )
    assert "Pick 3-4 threads to pull" in phases["Thread-Pulling"].guidance


@pytest.mark.django_db
def test_gut_check_and_note_questions(rubric):
    assert rubric.key == "default_rubric"
    assert list(rubric.gut_check_questions) == ["work_with", "trust_day_one", "month_one_success"]
    assert rubric.gut_check_questions == {
        "work_with": "Would I want to work with this person?",
        "trust_day_one": "Would I trust them to own LLM reliability on Day 1?",
        "month_one_success": "Do I believe they'll hit Month 1 success criteria?",
    }
    assert rubric.note_questions == {
        "best_thing": "Best thing they said (the moment you knew)",
        "biggest_concern": "Biggest concern (what worries you)",
        "vote": "Your vote (Strong Yes / Yes / No / Strong No)",
        "want_to_work_with": "Would you want to work with them? (Gut check)",
    }


@pytest.mark.django_db
def test_thresholds_are_the_guide_defaults(rubric):
    assert rubric.red_flags_for_strong_no == 2
    assert rubric.ones_fraction_for_strong_no == 0.5
    assert rubric.yes_min_fraction_at_3 == 0.5
    assert rubric.strong_yes_min_fraction_at_4 == 0.5
    assert rubric.strong_yes_critical_min == 4
    assert rubric.evidence_required_for_extremes is True


@pytest.mark.django_db
def test_loading_twice_is_idempotent(rubric):
    call_command("loaddata", "default_rubric", verbosity=0)
    assert Rubric.objects.count() == 1
    assert Dimension.objects.count() == 8
    assert RedFlag.objects.count() == 8


@pytest.mark.django_db
def test_loaded_published_rubric_is_frozen(rubric):
    dimension = rubric.dimensions.get(key="systems_thinking")
    dimension.anchor_5 = "Something else"
    with pytest.raises(RubricNotEditable):
        dimension.save()
    with pytest.raises(RubricNotEditable):
        rubric.red_flags.get(key="defensive").delete()
    rubric.description = "Rewritten"
    with pytest.raises(RubricNotEditable):
        rubric.save()
    assert Dimension.objects.get(pk=dimension.pk).anchor_5 == "Loops, prevention, ownership, continuous improvement"


@pytest.mark.django_db
def test_the_rubric_api_gives_its_key_and_its_gut_check_questions_in_order(rubric, api_as, interviewer):
    body = api_as(interviewer).get(f"/api/rubrics/{rubric.pk}/").json()
    assert body["key"] == "default_rubric"
    assert [(q["key"], q["order"]) for q in body["gut_check"]] == [
        ("work_with", 0),
        ("trust_day_one", 1),
        ("month_one_success", 2),
    ]
    assert body["gut_check_questions"] == rubric.gut_check_questions
    assert body["note_questions"]["vote"] == "Your vote (Strong Yes / Yes / No / Strong No)"
