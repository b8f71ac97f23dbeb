"""`manage.py import_questions` end to end, and the service behind it: both seeds import whole, a second import
writes nothing, a malformed file imports nothing and says which line broke."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecards.questions import Question, QuestionBank, QuestionTag
from scorecards.questions_import import question_bank_import
from scorecards.questions_parser import ParsedBank, ParsedQuestion, parse_question_bank

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
HANDBOOK = SEEDS / "001_f19f35a3a6d4a17f.txt"
TEMPLATE = SEEDS / "003_347392037ab67eac.txt"
HANDBOOK_KEY = "the-senior-ai-engineer-interview-handbook"
TEMPLATE_KEY = "llm-interview-question-bank"

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the client's seeds are not at {SEEDS}")


def run_import(*paths: Path) -> str:
    out = StringIO()
    call_command("import_questions", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    """Every stored value of every bank, question and tag link, to compare before and after."""
    return [
        *QuestionBank.objects.order_by("pk").values_list(),
        *Question.objects.order_by("pk").values_list(),
        *Question.tags.through.objects.order_by("pk").values_list(),
        *QuestionTag.objects.order_by("pk").values_list(),
    ]


@pytest.mark.django_db
def test_both_seeds_import_whole_with_their_domains_difficulty_tags_and_guidance():
    # when
    out = run_import(HANDBOOK, TEMPLATE)
    # then
    assert out.splitlines() == [
        f"{HANDBOOK}: 'The Senior AI Engineer Interview Handbook' ({HANDBOOK_KEY}), 60 questions: "
        "60 new, 0 updated, 0 unchanged.",
        f"{TEMPLATE}: 'LLM Interview Question Bank' ({TEMPLATE_KEY}), 84 questions: 84 new, 0 updated, 0 unchanged.",
    ]
    handbook = QuestionBank.objects.get(key=HANDBOOK_KEY)
    template = QuestionBank.objects.get(key=TEMPLATE_KEY)
    assert (handbook.source, template.source) == ("handbook", "template")
    assert handbook.questions.count() == 60
    assert handbook.questions.values("domain").distinct().count() == 8
    assert template.questions.count() == 84
    assert template.questions.values("domain").distinct().count() == 7
    assert template.questions.filter(difficulty__isnull=True).count() == 0
    assert sorted(template.questions.order_by().values_list("difficulty", flat=True).distinct()) == [
        "easy",
        "hard",
        "medium",
    ]
    assert Question.tags.through.objects.filter(question__bank=template).count() == 84 * 3

    first = template.questions.get(key="why-can-next-token-prediction-still-produce-useful-reasoning-behavior")
    assert {
        "order": first.order,
        "domain": first.domain,
        "domain_name": first.domain_name,
        "difficulty": first.difficulty,
        "tags": sorted(first.tags.values_list("slug", flat=True)),
        "title": first.title,
        "prompt": first.prompt,
        "strong_answer": first.strong_answer,
        "pitfalls": first.pitfalls,
        "insight": first.insight,
    } == {
        "order": 1,
        "domain": "foundations-of-llms",
        "domain_name": "Foundations of LLMs",
        "difficulty": "medium",
        "tags": ["emergence", "objectives", "reasoning"],
        "title": "Why can next-token prediction still produce useful reasoning behavior?",
        "prompt": "Explain why training to predict tokens can yield behaviors that look like planning, "
        "and where this breaks in interviews.",
        "strong_answer": "Clear assumptions and problem framing.\nTradeoff analysis tied to realistic constraints.\n"
        "Concrete validation or monitoring approach.",
        "pitfalls": "Giving generic definitions without operational detail.\n"
        "Ignoring failure modes, costs, or stakeholder constraints.",
        "insight": "",
    }
    q47 = handbook.questions.get(key="q47")
    assert (q47.domain, q47.domain_name, q47.title, q47.prompt, q47.difficulty) == (
        "safety-trust",
        "Safety & Trust",
        "Defending against prompt injection",
        "How do you defend against prompt injection in production?",
        None,
    )
    # seeds/README.md: the handbook's answers are third-party prose and stay out of the product.
    assert list(handbook.questions.exclude(strong_answer="", pitfalls="", insight="")) == []
    assert not handbook.questions.filter(tags__isnull=False).exists()


@pytest.mark.django_db
def test_a_second_import_writes_nothing():
    run_import(HANDBOOK, TEMPLATE)
    before = snapshot()
    # when
    with CaptureQueriesContext(connection) as queries:
        out = run_import(HANDBOOK, TEMPLATE)
    # then
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert snapshot() == before
    assert "60 questions: 0 new, 0 updated, 60 unchanged." in out
    assert "84 questions: 0 new, 0 updated, 84 unchanged." in out


@pytest.mark.django_db
def test_a_changed_file_updates_only_what_changed_and_keeps_questions_it_dropped(tmp_path):
    run_import(TEMPLATE)
    bank = QuestionBank.objects.get(key=TEMPLATE_KEY)
    kept = bank.questions.get(key="when-does-scaling-model-size-stop-being-the-best-lever")
    untouched = bank.questions.get(order=2)
    moved = bank.questions.get(order=4)
    text = TEMPLATE.read_text(encoding="utf-8")
    # the first question reworded and retagged, the third one (scaling) removed
    text = text.replace(
        "**Tags:** objectives,emergence,reasoning",
        "**Tags:** objectives,reasoning,planning",
    ).replace("and where this breaks in interviews.", "and where it breaks.")
    start = text.index("### Q: When does scaling model size stop being the best lever?")
    text = text[:start] + text[text.index("### Q:", start + 1) :]
    changed = tmp_path / "bank.md"
    changed.write_text(text, encoding="utf-8")
    # when
    out = run_import(changed)
    # then
    assert out.strip() == (
        f"{changed}: 'LLM Interview Question Bank' ({TEMPLATE_KEY}), 83 questions: 0 new, 1 updated, 82 unchanged. "
        "81 of them moved to a new position in the file. "
        "1 question of the bank is not in the file; kept, as interviews may refer to it."
    )
    first = bank.questions.get(order=1)
    assert (
        first.prompt
        == "Explain why training to predict tokens can yield behaviors that look like planning, and where it breaks."
    )
    assert sorted(first.tags.values_list("slug", flat=True)) == ["objectives", "planning", "reasoning"]
    assert Question.objects.filter(pk=kept.pk).exists()  # an interview may refer to it: never deleted
    # a question nobody touched keeps its row as it was; one below the removed question only moves up
    assert Question.objects.get(pk=untouched.pk).updated_at == untouched.updated_at
    after = Question.objects.get(pk=moved.pk)
    assert (after.order, after.updated_at, after.prompt) == (3, moved.updated_at, moved.prompt)


@pytest.mark.django_db
def test_an_admins_own_insight_and_strong_answer_survive_a_handbook_reimport():
    # The handbook carries no answer text, so what the team wrote for its questions is theirs to keep.
    run_import(HANDBOOK)
    question = Question.objects.get(bank__key=HANDBOOK_KEY, key="q04")
    question.insight = "Roll back on an eval metric, not on the error rate."
    question.strong_answer = "Versions model, prompt and retriever together."
    question.difficulty = "hard"
    question.save()
    # when
    out = run_import(HANDBOOK)
    # then
    question.refresh_from_db()
    assert (question.insight, question.strong_answer, question.difficulty) == (
        "Roll back on an eval metric, not on the error rate.",
        "Versions model, prompt and retriever together.",
        "hard",
    )
    assert "0 new, 0 updated, 60 unchanged." in out


@pytest.mark.django_db
def test_a_malformed_file_is_refused_with_its_line_and_nothing_is_imported(tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text(
        TEMPLATE.read_text(encoding="utf-8").replace("**Difficulty:** Hard", "**Difficulty:** Brutal", 1),
        encoding="utf-8",
    )
    line = broken.read_text(encoding="utf-8").split("\n").index("**Difficulty:** Brutal  ") + 1
    # when: a good file, then the broken one
    with pytest.raises(CommandError) as refused:
        run_import(HANDBOOK, broken)
    # then: the file, the line, what was wrong; and not even the good file was imported
    assert str(refused.value) == (
        f"{broken}, line {line}: The difficulty 'Brutal' is not one of Easy, Medium, Hard. Nothing was imported."
    )
    assert snapshot() == []


@pytest.mark.django_db
def test_a_truncated_handbook_is_refused_and_leaves_the_bank_as_it_was(tmp_path):
    run_import(HANDBOOK)
    before = snapshot()
    lines = HANDBOOK.read_text(encoding="utf-8").split("\n")
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join(lines[:1000]), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        run_import(cut)
    assert str(refused.value) == (
        f"{cut}, line 1000: Q33 (line 978) ends without its callout ('→ Key Insight' and its line of text). "
        "Nothing was imported."
    )
    assert snapshot() == before


@pytest.mark.django_db
def test_files_that_cannot_be_read_are_refused_with_a_sentence(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(CommandError) as refused:
        run_import(missing)
    assert str(refused.value) == f"{missing}: cannot be read (No such file or directory)."
    latin = tmp_path / "latin.md"
    latin.write_bytes("# Banque\n\n## Café\n".encode() + "### Q: Déjà vu?\n".encode("latin-1"))
    with pytest.raises(CommandError) as refused:
        run_import(latin)
    assert str(refused.value) == f"{latin}, line 4: the file is not UTF-8 text. Nothing was imported."
    assert snapshot() == []


@pytest.mark.django_db
def test_a_write_that_fails_midway_leaves_nothing_behind():
    # Two questions with one key (the parser never returns that; the database refuses it): the bank row written
    # before the failure must go with it.
    question = ParsedQuestion(key="same", line=1, domain="d", domain_name="D", title="T", prompt="P")
    parsed = ParsedBank(key="doomed", name="Doomed", shape="template", description="", questions=(question, question))
    with pytest.raises(IntegrityError):
        question_bank_import(parsed=parsed)
    assert snapshot() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_bank_give_each_question_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers on one lock and has no SELECT ... FOR UPDATE; run on PostgreSQL")
    parsed = parse_question_bank(TEMPLATE.read_text(encoding="utf-8"))
    for _attempt in range(5):
        QuestionBank.objects.all().delete()
        # The bank exists (an admin made it, or an earlier file): only the import's lock keeps two from both
        # finding its questions missing and both inserting them.
        QuestionBank.objects.create(key=parsed.key, name=parsed.name)
        barrier = threading.Barrier(3)
        outcomes: list[str] = []

        def import_once(barrier: threading.Barrier = barrier, outcomes: list[str] = outcomes) -> None:
            try:
                barrier.wait()
                result = question_bank_import(parsed=parsed)
                outcomes.append(f"{result.created} new")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=import_once) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["0 new", "0 new", "84 new"]
        assert QuestionBank.objects.count() == 1
        assert Question.objects.count() == 84
        assert Question.tags.through.objects.count() == 84 * 3


def test_the_command_line_exits_non_zero_and_names_the_line(tmp_path):
    # The real `manage.py`, as `make run` calls it. The file is refused before any database is opened.
    broken = tmp_path / "broken.md"
    broken.write_text("# Bank\n\n## Section\n\n### Q: Why?\n\n**Difficulty:** Easy\n", encoding="utf-8")
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    done = subprocess.run(
        [sys.executable, str(manage), "import_questions", str(broken)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"CommandError: {broken}, line 7: The question 'Why?' (line 5) ends before its **Tags:** line. "
        "Nothing was imported."
    )
    assert done.stdout == ""


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keep=st.integers(min_value=0, max_value=1300), which=st.sampled_from(["handbook", "template"]))
def test_an_import_is_whole_or_nothing(tmp_path, keep, which):
    # given a bank imported once, then a file cut after `keep` lines
    source = HANDBOOK if which == "handbook" else TEMPLATE
    run_import(source)
    before = snapshot()
    lines = source.read_text(encoding="utf-8").split("\n")
    cut = tmp_path / f"cut-{which}-{keep}.txt"
    cut.write_text("\n".join(lines[:keep]), encoding="utf-8")
    # when
    try:
        run_import(cut)
    except CommandError as refused:
        # then a refused file changed nothing, and the message names a line of it
        assert re.match(rf"{re.escape(str(cut))}, line \d+: .+ Nothing was imported\.$", str(refused))
        assert snapshot() == before
    else:
        # or a file cut between two questions is a smaller bank: each of its questions as the parser gives them
        parsed = parse_question_bank(cut.read_text(encoding="utf-8"))
        stored = dict(Question.objects.filter(bank__key=parsed.key).values_list("key", "prompt"))
        assert {q.key: q.prompt for q in parsed.questions}.items() <= stored.items()
    finally:
        QuestionBank.objects.all().delete()
        QuestionTag.objects.all().delete()
