"""The rubric templates fixture: the other seeds' interviews, loaded published beside the guide's, safely.

`loaddata rubric_templates` names rows by natural key (rubric name + version, then each part's key), never by id:
loading it twice changes nothing, and it leaves alone whatever rows hold the same ids in someone's database.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from interviewloop.models import Loop
from scorecards.models import Dimension, GutCheckQuestion, Phase, RedFlag, Rubric, RubricNotEditable, Thread
from scorecards.rubrics import rubric_new_version, rubric_publish

TEMPLATE_KEYS = {
    "coding_round",
    "pm_product_design",
    "pm_metrics",
    "pm_technical",
    "pm_behavioral",
    "leadership_principles",
    "bar_raiser",
}
PART_MODELS = (Dimension, RedFlag, Thread, Phase, GutCheckQuestion)
# 004, Amazon: "Evaluation Criteria (14 Leadership Principles)", in the seed's order.
PRINCIPLES = [
    ("Customer Obsession", "Start with customer, work backwards"),
    ("Ownership", "Act on behalf of entire company"),
    ("Invent and Simplify", "Expect innovation from team"),
    ("Are Right, A Lot", "Strong judgment, seek diverse perspectives"),
    ("Learn and Be Curious", "Never done learning"),
    ("Hire and Develop the Best", "Raise performance bar"),
    ("Insist on the Highest Standards", "High standards for deliverables"),
    ("Think Big", "Bold direction inspires results"),
    ("Bias for Action", "Speed matters in business"),
    ("Frugality", "Accomplish more with less"),
    ("Earn Trust", "Listen attentively, speak candidly"),
    ("Dive Deep", "Operate at all levels, stay connected to details"),
    ("Have Backbone; Disagree and Commit", "Challenge decisions, commit wholly once decided"),
    ("Deliver Results", "Focus on key inputs, deliver with right quality"),
]


def load_templates() -> dict[str, Rubric]:
    call_command("loaddata", "rubric_templates", verbosity=0)
    return {rubric.key: rubric for rubric in Rubric.objects.exclude(key="default_rubric")}


@pytest.fixture
def templates(db) -> dict[str, Rubric]:
    # As `make run` does: the guide first (its fixture names ids), then the templates.
    call_command("loaddata", "default_rubric", verbosity=0)
    return load_templates()


def snapshot() -> dict[str, list[dict]]:
    """Every rubric and part row, ids included."""
    return {
        model.__name__: [model_to_dict(row) | {"id": row.pk} for row in model.objects.order_by("pk")]
        for model in (Rubric, *PART_MODELS)
    }


def names(queryset) -> list[str]:
    return list(queryset.values_list("name", flat=True))


@pytest.mark.django_db
def test_every_template_loads_published_with_its_key(templates):
    assert set(templates) == TEMPLATE_KEYS
    for key, rubric in templates.items():
        assert rubric.status == Rubric.Status.PUBLISHED, key
        assert rubric.published_at is not None, key
        assert rubric.version == 1, key
        assert not rubric.is_editable, key
    # The guide stays where its fixture put it.
    assert Rubric.objects.get(pk=1).key == "default_rubric"


@pytest.mark.django_db
def test_coding_round_is_the_seeds_weighted_evaluation(templates):
    rubric = templates["coding_round"]
    dimensions = list(rubric.dimensions.all())
    # 002, "What They're Evaluating": Technical Skills (40%), Engineering Practices (30%), Problem Solving (20%),
    # Communication (10%).
    assert [(d.key, d.name, d.weight) for d in dimensions] == [
        ("technical_skills", "Technical Skills", Decimal("40")),
        ("engineering_practices", "Engineering Practices", Decimal("30")),
        ("problem_solving", "Problem Solving", Decimal("20")),
        ("communication", "Communication", Decimal("10")),
    ]
    by_key = {d.key: d for d in dimensions}
    assert by_key["technical_skills"].description.startswith("Code correctness and completeness;")
    assert "Knowledge of RAG/LLM concepts" in by_key["technical_skills"].description
    assert "Error handling and edge cases" in by_key["engineering_practices"].description
    assert "Asking clarifying questions" in by_key["problem_solving"].description
    assert by_key["communication"].description.endswith("Clear articulation of ideas")
    assert not any(d.critical for d in dimensions)
    assert all(d.required for d in dimensions)
    # The seed lists no red flags for this round: the rubric has none to check.
    assert not rubric.red_flags.exists()
    phases = [(p.name, p.minutes_min, p.minutes_max) for p in rubric.phases.all()]
    assert phases == [("Live Coding", 30, 45), ("System Design", 20, 30), ("Code Review", 15, 20)]
    rag = rubric.threads.get(key="build_a_simple_rag_pipeline")
    assert rag.title == "Build a Simple RAG Pipeline"
    assert rag.what_to_ask == '"Implement a basic RAG system that can answer questions from a document corpus."'
    assert "- Understanding of RAG components" in rag.why_it_matters
    assert (
        '"Max iterations prevents infinite loops"'
        in rubric.threads.get(key="build_a_simple_agent_with_tool_calling").great_signals.splitlines()
    )
    assert "Interview Format (typically 60-90 minutes):" in rubric.description
    assert rubric.role == "Senior Engineer - Generative AI & Data Engineering (Production Management Tooling Team)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "dimension_names", "framework"),
    [
        (
            "pm_product_design",
            ["Structured problem-solving", "User-centric thinking", "Creativity and innovation",
             "Prioritization skills", "Communication clarity"],
            "Framework: CIRCLES Method.",
        ),
        (
            "pm_metrics",
            ["Data-driven decision making", "Metric selection and definition", "A/B testing knowledge",
             "Business acumen", "Trade-off evaluation"],
            "Framework: GAME.",
        ),
        (
            "pm_technical",
            ["Technical depth", "System design thinking", "Scalability understanding", "API design knowledge",
             "Trade-off evaluation"],
            "Framework: System Design Steps.",
        ),
        (
            "pm_behavioral",
            ["Past experience and impact", "Leadership and influence", "Problem-solving approach",
             "Cultural alignment", "Self-awareness and learning"],
            "Framework: STAR Method.",
        ),
    ],
)  # fmt: skip
def test_each_pm_interview_type_evaluates_what_the_seed_says(templates, key, dimension_names, framework):
    # 004, "The Four Interview Types": each type's "What's Being Evaluated", in order, with equal weights.
    rubric = templates[key]
    assert names(rubric.dimensions.all()) == dimension_names
    assert framework in rubric.description
    assert rubric.role == "Product Manager"
    for dimension in rubric.dimensions.all():
        assert dimension.weight == 1
        assert dimension.required and not dimension.critical
    assert not rubric.red_flags.exists()


@pytest.mark.django_db
def test_pm_templates_carry_the_seeds_example_questions_and_frameworks(templates):
    design = templates["pm_product_design"]
    assert design.problem_statement == "Design a product for the blind"
    assert "C - Comprehend the Situation: Ask clarifying questions" in design.description
    assert "S - Summarize: Solution, metrics, roadmap" in design.description
    # "Time Allocation": Comprehend 3, Identify + Report 5, Cut 2, List 8, Evaluate 12, Summarize 5: 35 min.
    assert [(p.minutes_min, p.minutes_max) for p in design.phases.all()] == [(3, 3), (5, 5), (2, 2), (8, 8), (12, 12),
                                                                             (5, 5)]  # fmt: skip
    assert sum(p.minutes_max for p in design.phases.all()) == 35
    assert "3. Smart cane: Sensor-equipped cane with AI guidance" in design.threads.get().great_example
    metrics = templates["pm_metrics"]
    assert metrics.problem_statement == "How would you measure success for Instagram Reels?"
    assert "M - Metrics: How to measure success" in metrics.description
    assert "- Feed engagement (did Reels cannibalize Feed?)" in metrics.threads.get().great_example
    technical = templates["pm_technical"]
    assert technical.problem_statement == "Design the backend for Twitter"
    assert "6. Trade-offs (CAP, consistency, cost)" in technical.description
    behavioral = templates["pm_behavioral"]
    assert "A - Action (What YOU did)" in behavioral.description
    story = behavioral.threads.get(key="led_a_cross_functional_team")
    assert story.what_to_ask == '"Tell me about a time you led a cross-functional team"'
    assert 'Vague actions ("worked with")' in story.bad_example
    assert "Showed influence without authority (negotiated with legal, other teams)" in story.great_signals


@pytest.mark.django_db
def test_leadership_principles_are_the_fourteen_for_focus(templates):
    rubric = templates["leadership_principles"]
    dimensions = list(rubric.dimensions.all())
    assert [(d.name, d.description) for d in dimensions] == PRINCIPLES
    # Each interviewer takes 2-3 of them as the interview's focus, which makes those required on its scorecard;
    # the rubric itself requires none and makes none critical.
    assert not any(d.required or d.critical for d in dimensions)
    assert "Each interviewer focuses on 2-3 leadership principles" in rubric.description
    asks = {thread.title: thread.what_to_ask for thread in rubric.threads.all()}
    assert asks["Disagree and Commit"] == (
        '"Tell me about a time you strongly disagreed with a decision but committed fully afterward"'
    )
    assert len(asks) == 4


@pytest.mark.django_db
def test_bar_raiser_is_the_independent_round_on_the_same_principles(templates):
    rubric = templates["bar_raiser"]
    assert "Bar Raiser round (independent evaluator)" in rubric.description
    principles = list(templates["leadership_principles"].dimensions.values_list("key", "name"))
    assert list(rubric.dimensions.values_list("key", "name")) == principles
    assert not rubric.dimensions.filter(required=True).exists()
    assert rubric.gut_check_questions["raises_the_bar"] == "Would they raise the performance bar?"
    assert "Q: What are the risks?" in rubric.threads.get(key="past_product_work_prfaq").great_example


@pytest.mark.django_db
def test_every_template_has_a_few_gut_check_questions_of_its_own(templates):
    for key, rubric in templates.items():
        questions = rubric.gut_check_questions
        assert 1 <= len(questions) <= 3, key
        # The guide's first question stands for every round; the others are the round's own.
        assert next(iter(questions)) == "work_with", key
        assert questions["work_with"] == "Would I want to work with this person?"
        assert all(text.endswith("?") for text in questions.values()), key
    assert templates["coding_round"].gut_check_questions["can_actually_code"] == (
        "Can they actually code what they described?"
    )


@pytest.mark.django_db
def test_every_template_is_valid_and_publishable(templates):
    for key, rubric in templates.items():
        rubric.full_clean()  # field validation and the model's CheckConstraints (threshold ranges)
        dimensions = list(rubric.dimensions.all())
        assert dimensions, key  # rubric_publish refuses a rubric without dimensions
        for part in [*dimensions, *rubric.red_flags.all(), *rubric.threads.all(), *rubric.phases.all(),
                     *rubric.gut_checks.all()]:  # fmt: skip
            part.full_clean()
        for dimension in dimensions:
            assert dimension.weight > 0, (key, dimension.key)
            assert dimension.description and dimension.anchor_5 and dimension.anchor_3 and dimension.anchor_1
        for thread in rubric.threads.all():
            assert thread.title and thread.what_to_ask, (key, thread.key)
        assert rubric.red_flags_for_strong_no >= 1
        # Every rule of the vote ceiling applies through these thresholds, the guide's own.
        assert (rubric.ones_fraction_for_strong_no, rubric.yes_min_fraction_at_3) == (0.5, 0.5)
        assert (rubric.strong_yes_min_fraction_at_4, rubric.strong_yes_critical_min) == (0.5, 4)
        assert rubric.evidence_required_for_extremes


@pytest.mark.django_db
def test_a_copy_of_a_template_can_be_published(templates):
    draft = rubric_new_version(rubric=templates["coding_round"])
    published = rubric_publish(rubric=draft)
    assert published.status == Rubric.Status.PUBLISHED
    assert published.key == "coding_round"
    assert list(published.gut_check_questions) == ["work_with", "can_actually_code"]
    assert Rubric.objects.get(pk=templates["coding_round"].pk).status == Rubric.Status.RETIRED


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_keeps_the_ids(templates):
    before = snapshot()
    call_command("loaddata", "rubric_templates", verbosity=0)
    assert snapshot() == before
    assert Rubric.objects.count() == 1 + len(TEMPLATE_KEYS)


@pytest.mark.django_db
def test_loading_again_after_a_template_was_retired_leaves_it_retired(templates):
    # given: an admin published a new version of the coding round, which retired the loaded one
    rubric_publish(rubric=rubric_new_version(rubric=templates["coding_round"]))
    before = snapshot()
    # when: the templates are loaded again (every deploy does)
    call_command("loaddata", "rubric_templates", verbosity=0)
    # then: nothing changed; in particular the retired version is not published again
    assert snapshot() == before
    assert Rubric.objects.get(pk=templates["coding_round"].pk).status == Rubric.Status.RETIRED


def own_rubrics(count: int, *, status: str = Rubric.Status.PUBLISHED) -> None:
    """Someone's own rubrics at ids 1..count, each with one part of every kind at the rubric's id: the ids a
    fixture that named ids would write to. Sequences then move past them, as `loaddata` leaves them."""
    for pk in range(1, count + 1):
        rubric = Rubric.objects.create(pk=pk, name=f"Own rubric {pk}", description="Ours.")
        Dimension.objects.create(pk=pk, rubric=rubric, order=1, key="own", name="Own", anchor_5="Ours")
        RedFlag.objects.create(pk=pk, rubric=rubric, order=1, key="own", name="Own")
        Thread.objects.create(pk=pk, rubric=rubric, order=1, key="own", title="Own")
        Phase.objects.create(pk=pk, rubric=rubric, order=1, name="Own", minutes_min=1, minutes_max=2)
        GutCheckQuestion.objects.create(pk=pk, rubric=rubric, order=0, key="own", text="Ours?")
        if status != Rubric.Status.DRAFT:
            Rubric.objects.filter(pk=pk).update(status=status, published_at=timezone.now())
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Rubric, *PART_MODELS]):
            cursor.execute(statement)


def assert_rows_kept(before: dict[str, list[dict]]) -> None:
    after = {model: {row["id"]: row for row in rows} for model, rows in snapshot().items()}
    for model, rows in before.items():
        for row in rows:
            assert after[model].get(row["id"]) == row, model


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Rubric.Status.PUBLISHED, Rubric.Status.DRAFT])
def test_loading_leaves_other_rubrics_with_the_same_ids_alone(status):
    # given: a database whose own rubrics and parts hold ids 1 to 9
    own_rubrics(9, status=status)
    before = snapshot()
    # when
    templates = load_templates()
    # then: every row that was there is unchanged, and the templates are new rows beside them
    assert_rows_kept(before)
    assert set(templates) >= TEMPLATE_KEYS
    assert min(rubric.pk for key, rubric in templates.items() if key in TEMPLATE_KEYS) > 9
    assert Dimension.objects.filter(rubric__key="leadership_principles").count() == 14


@pytest.mark.django_db
def test_the_guide_fixture_refuses_to_overwrite_a_published_rubric_holding_its_ids():
    # given: someone's published rubric at id 1 (the guide fixture's rubric id), its parts at id 1 too
    own_rubrics(1)
    before = snapshot()
    # when: the guide's fixture, which names ids, is loaded over it
    with pytest.raises(RubricNotEditable, match="nothing was loaded"):
        call_command("loaddata", "default_rubric", verbosity=0)
    # then: nothing at all was written, so no guide part hangs off someone else's rubric either
    assert snapshot() == before


@pytest.mark.django_db
def test_a_fixture_that_changes_a_published_templates_text_is_refused(templates, tmp_path):
    # given: a fixture that rewords a dimension of the loaded coding round, still as version 1
    rows = json.loads((settings.BASE_DIR / "fixtures" / "rubric_templates.json").read_text(encoding="utf-8"))
    for row in rows:
        if row["model"] == "scorecards.dimension" and row["fields"]["key"] == "technical_skills":
            row["fields"]["anchor_5"] = "Reworded"
    reworded = tmp_path / "reworded.json"
    reworded.write_text(json.dumps(rows), encoding="utf-8")
    before = snapshot()
    # when / then: refused, and nothing changed; a published version is immutable
    with pytest.raises(RubricNotEditable, match="anchor_5"):
        call_command("loaddata", str(reworded), verbosity=0)
    assert snapshot() == before


@pytest.mark.django_db
def test_the_rubric_api_gives_each_template_its_key_and_lists_by_key(templates, api_as, interviewer):
    api = api_as(interviewer)
    listed = api.get("/api/rubrics/").json()
    assert {row["key"] for row in listed["results"]} == {"default_rubric", *TEMPLATE_KEYS}
    coding = templates["coding_round"]
    assert api.get(f"/api/rubrics/{coding.pk}/").json()["key"] == "coding_round"
    # ?key= lists every version of one template, newest first
    draft = rubric_new_version(rubric=coding)
    body = api.get("/api/rubrics/", {"key": "coding_round"}).json()
    assert [(row["id"], row["key"], row["version"]) for row in body["results"]] == [
        (draft.pk, "coding_round", 2),
        (coding.pk, "coding_round", 1),
    ]
    assert [q["key"] for q in body["results"][1]["gut_check"]] == ["work_with", "can_actually_code"]
    assert api.get("/api/rubrics/", {"key": "no_such_template"}).json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["not a key", "x" * 61, "coding_round;"])
def test_a_key_that_cannot_be_one_is_a_400_naming_the_filter(templates, api_as, interviewer, bad):
    response = api_as(interviewer).get("/api/rubrics/", {"key": bad})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert body["field"] == "key"
    assert body["detail"].startswith("The filter key=")


def make_run_steps() -> list[str]:
    """The `manage.py` commands of the Makefile's `run` target, in order."""
    recipe = (settings.BASE_DIR / "Makefile").read_text(encoding="utf-8").split("\nrun: install\n", 1)[1]
    steps = []
    for line in recipe.splitlines():
        if not line.startswith("\t"):
            break
        if "manage.py " in line:
            steps.append(line.split("manage.py ", 1)[1].split(" ../", 1)[0].strip())
    return steps


def test_make_run_loads_the_guide_then_the_templates_before_the_demo():
    steps = make_run_steps()
    assert steps.index("seed_rubric") < steps.index("loaddata rubric_templates") < steps.index("seed_demo")


@pytest.mark.django_db
def test_make_runs_loading_steps_give_the_guide_and_the_templates_and_the_demo_uses_the_guide():
    # given: make run's loading steps on a new database, then an admin published version 2 of the coding round
    call_command("seed_rubric", verbosity=0)
    call_command("loaddata", "rubric_templates", verbosity=0)
    rubric_publish(rubric=rubric_new_version(rubric=Rubric.objects.get(key="coding_round")))
    # when: make run again, twice
    for _ in range(2):
        call_command("seed_rubric", verbosity=0)
        call_command("loaddata", "rubric_templates", verbosity=0)
        call_command("seed_demo", verbosity=0)
    # then: the guide and the templates once each (and the new version), and the demo loop is on the guide
    assert set(Rubric.objects.values_list("key", flat=True)) == {"default_rubric", *TEMPLATE_KEYS}
    assert Rubric.objects.count() == 1 + len(TEMPLATE_KEYS) + 1
    assert Loop.objects.get(candidate__name="Jordan Rivera").position.rubric.key == "default_rubric"
