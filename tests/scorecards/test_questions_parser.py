"""The question-bank parser, a pure function, on the client's two seeds and on damaged copies of them.

No database: `parse_question_bank(text)` takes text and returns plain values or raises `BankFormatError`.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecards.questions_parser import (
    BankFormatError,
    ParsedQuestion,
    normalize_tag,
    parse_question_bank,
    slug,
)

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
HANDBOOK = SEEDS / "001_f19f35a3a6d4a17f.txt"
TEMPLATE = SEEDS / "003_347392037ab67eac.txt"

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the client's seeds are not at {SEEDS}")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _parse_lines(lines: list[str]):
    return parse_question_bank("\n".join(lines))


# --- the handbook (seeds/001) -------------------------------------------------------------------------------


def test_the_handbook_gives_its_60_questions_in_its_8_domains():
    bank = parse_question_bank(HANDBOOK.read_text(encoding="utf-8"))
    assert (bank.key, bank.name, bank.shape) == (
        "the-senior-ai-engineer-interview-handbook",
        "The Senior AI Engineer Interview Handbook",
        "handbook",
    )
    assert [q.key for q in bank.questions] == [f"q{n:02d}" for n in range(1, 61)]
    assert Counter(q.domain for q in bank.questions) == {
        "architecture": 8,
        "incidents": 8,
        "agentic-systems": 8,
        "rag-retrieval": 8,
        "evals-observability": 8,
        "cost-scaling": 6,
        "safety-trust": 6,
        "leadership": 8,
    }


def test_a_handbook_question_keeps_its_domain_title_and_question_and_none_of_the_answer():
    bank = parse_question_bank(HANDBOOK.read_text(encoding="utf-8"))
    by_key = {q.key: q for q in bank.questions}
    assert by_key["q01"] == ParsedQuestion(
        key="q01",
        line=126,
        domain="architecture",
        domain_name="Architecture",
        title="Designing a production LLM serving platform",
        prompt="Design a production LLM serving platform for a product with 1M daily active users.",
        difficulty=None,
        tags=None,
        strong_answer=None,
        pitfalls=None,
        insight=None,
    )
    assert by_key["q25"] == ParsedQuestion(
        key="q25",
        line=754,
        domain="rag-retrieval",
        domain_name="RAG & Retrieval",
        title="Designing a production RAG system",
        prompt="Walk me through how you'd design a production RAG system from scratch.",
    )
    assert by_key["q60"].title == "Senior vs staff AI engineer signals"
    assert by_key["q60"].prompt == 'What does "senior" look like versus "staff" in AI engineering — and which are you?'
    assert by_key["q60"].domain_name == "Leadership"


def test_no_answer_or_callout_text_of_the_handbook_is_returned():
    # seeds/README.md: 001 is third-party prose, "do not copy its answers into the product".
    lines = _lines(HANDBOOK)
    bank = parse_question_bank("\n".join(lines))
    returned = repr(bank)
    callouts = [lines[i + 1] for i, line in enumerate(lines) if line.startswith("→ ")]
    assert len(callouts) == 60
    assert [text for text in callouts if text in returned] == []
    assert "Start by naming the three workloads" not in returned  # the first answer's first words
    assert all(q.strong_answer is q.pitfalls is q.insight is None for q in bank.questions)


# --- the markdown template (seeds/003) ----------------------------------------------------------------------


def test_the_template_gives_its_84_questions_in_its_7_sections():
    bank = parse_question_bank(TEMPLATE.read_text(encoding="utf-8"))
    assert (bank.key, bank.name, bank.shape) == (
        "llm-interview-question-bank",
        "LLM Interview Question Bank",
        "template",
    )
    assert len(bank.questions) == 84
    assert Counter(q.domain_name for q in bank.questions) == {
        "Foundations of LLMs": 12,
        "Training & Alignment": 12,
        "Inference & Systems Engineering": 12,
        "Retrieval, Agents & Tool Use": 12,
        "Evaluation & Safety": 12,
        "Real-World Engineering & Debugging": 12,
        "System Design Scenarios": 12,
    }
    assert Counter(q.difficulty for q in bank.questions) == {"easy": 15, "medium": 40, "hard": 29}
    assert all(len(q.tags or ()) == 3 and len(q.strong_answer or ()) == 3 for q in bank.questions)
    assert all(len(q.pitfalls or ()) == 2 and q.insight is None for q in bank.questions)
    assert len({q.key for q in bank.questions}) == 84
    assert bank.description.startswith("An original, community-driven repository of interview questions")


def test_a_template_question_keeps_every_field():
    bank = parse_question_bank(TEMPLATE.read_text(encoding="utf-8"))
    assert bank.questions[0] == ParsedQuestion(
        key="why-can-next-token-prediction-still-produce-useful-reasoning-behavior",
        line=24,
        domain="foundations-of-llms",
        domain_name="Foundations of LLMs",
        title="Why can next-token prediction still produce useful reasoning behavior?",
        prompt=(
            "Explain why training to predict tokens can yield behaviors that look like planning, "
            "and where this breaks in interviews."
        ),
        difficulty="medium",
        tags=("objectives", "emergence", "reasoning"),
        strong_answer=(
            "Clear assumptions and problem framing.",
            "Tradeoff analysis tied to realistic constraints.",
            "Concrete validation or monitoring approach.",
        ),
        pitfalls=(
            "Giving generic definitions without operational detail.",
            "Ignoring failure modes, costs, or stakeholder constraints.",
        ),
        insight=None,
    )
    last = bank.questions[-1]
    assert (last.key, last.domain, last.difficulty, last.tags) == (
        "design-a-postmortem-and-reliability-loop-for-llm-incidents-at-scale",
        "system-design-scenarios",
        "medium",
        ("system-design", "reliability", "incident-management"),
    )
    assert last.prompt == "Define ownership, telemetry, and preventive engineering feedback loops."


def test_the_one_title_left_in_mojibake_is_read_as_the_utf8_it_was():
    bank = parse_question_bank(TEMPLATE.read_text(encoding="utf-8"))
    verbose = next(q for q in bank.questions if "verbose" in q.title)
    assert verbose.title == "A model suddenly becomes verbose overnight—how do you triage quickly?"
    assert verbose.key == "a-model-suddenly-becomes-verbose-overnight-how-do-you-triage-quickly"


MINIMAL = """# Tiny bank

## Basics

### Q: Why?

**Difficulty:** Easy
**Tags:** one,two
**Question:** Tell me why.
**What a strong answer includes:**

- A reason.
**Common pitfalls:**

- No reason.
"""


def test_text_that_only_looks_like_mojibake_is_kept_as_written():
    bank = parse_question_bank(MINIMAL.replace("Tell me why.", "Tell me why the crème brûlée is â la carte."))
    assert bank.questions[0].prompt == "Tell me why the crème brûlée is â la carte."


# --- refusals, each with its line ---------------------------------------------------------------------------


def _error(text: str) -> BankFormatError:
    with pytest.raises(BankFormatError) as raised:
        parse_question_bank(text)
    return raised.value


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "",
            1,
            "This is not a question bank the importer knows: expected questions as '### Q: <title>' headings "
            "(the markdown template) or a handbook declaring 'N Questions · M Domains' with 'Q01' markers.",
        ),
        (MINIMAL.replace("**Difficulty:** Easy", "**Difficulty:** Trivial"), 7, None),
        (MINIMAL.replace("one,two", "one,Two Words"), 8, None),
        (MINIMAL.replace("**Tags:** one,two\n", ""), 8, None),
        (MINIMAL.replace("- No reason.\n", ""), 14, None),
        (MINIMAL.replace("# Tiny bank\n", ""), 2, "The file must start with the bank's name as '# <name>'."),
        (
            MINIMAL + MINIMAL[MINIMAL.index("### Q:") :],
            16,
            "The question 'Why?' has the same key as the one on line 5.",
        ),
        (MINIMAL.replace("## Basics\n", ""), 4, "A question must come under a '## <section>' heading."),
        (MINIMAL + "\n## Empty\n", 17, "The section 'Empty' has no questions."),
        (MINIMAL + "\nstray words\n", 17, "Expected a '- ' bullet under **Common pitfalls:** or the next '### Q:'."),
    ],
)
def test_a_malformed_template_is_refused_at_the_line_that_broke(text, line, message):
    error = _error(text)
    assert error.line == line, error
    if message is not None:
        assert error.message == message


def test_refusals_say_what_was_expected():
    assert (
        _error(MINIMAL.replace("Easy", "Trivial")).message
        == "The difficulty 'Trivial' is not one of Easy, Medium, Hard."
    )
    assert _error(MINIMAL.replace("one,two", "one,Two Words")).message == (
        "'Two Words' is not a tag: lowercase letters, digits and hyphens, at most 60 characters."
    )
    assert _error(MINIMAL.replace("**Tags:** one,two\n", "")).message == (
        "Expected **Tags:** in the question 'Why?' (line 5)."
    )
    assert str(_error(MINIMAL.replace("- No reason.\n", ""))) == (
        "line 14: The question 'Why?' (line 5) has no '- ' bullet under **Common pitfalls:**."
    )


def test_the_template_contents_must_match_its_sections():
    text = TEMPLATE.read_text(encoding="utf-8")
    error = _error(text.replace("- [Evaluation & Safety](#evaluation--safety)\n", ""))
    assert (error.line, error.message) == (
        750 - 1,
        "The section 'Evaluation & Safety' is not in the table of contents.",
    )
    cut = text[: text.index("## System Design Scenarios")]
    error = _error(cut)
    assert (error.line, error.message) == (
        20,
        "The table of contents lists 'System Design Scenarios', but the file has no such section.",
    )


def test_a_malformed_handbook_is_refused_at_the_line_that_broke():
    lines = _lines(HANDBOOK)
    # Q37 gone from the body (its marker line, 1081)
    error = _error("\n".join(lines[:1080] + lines[1081:]))
    assert (error.line, error.message) == (1081, "Q36 (line 1052): expected Q37 or the next 'Part' after its callout.")
    # the header says 60 but the contents list 59
    assert lines[110] == "Q60Senior vs staff AI engineer signals"
    error = _error("\n".join(lines[:110] + lines[111:]))
    assert error.line == 102, error  # "VIII · Leadership" covers Q53 to Q60 but lists 7
    assert "covers Q53\u2013Q60 but lists 7 questions" in error.message
    error = _error("\n".join(line.replace("60 Questions · 8 Domains", "61 Questions · 8 Domains") for line in lines))
    assert (error.line, error.message) == (3, "The header declares 61 questions but the table of contents lists 60.")


# --- properties: a damaged file is always refused, at a line inside the damage ---------------------------


def _handbook_required(lines: list[str]) -> list[int]:
    """0-based indexes of the lines the handbook's shape needs: the header's size, each contents line (domain,
    range, title), each Part, and per question its marker, the blank, the question, the blank, the callout and
    its sentence. (The answer's paragraphs are not each required: a question keeps its others.)"""
    toc_end = next(i for i, line in enumerate(lines) if line.startswith("Part "))
    toc_start = next(i for i, line in enumerate(lines) if line == "I · Architecture")
    required = {next(i for i, line in enumerate(lines) if line == "60 Questions · 8 Domains")}
    required |= {i for i in range(toc_start, toc_end) if lines[i].strip()}
    for i, line in enumerate(lines):
        if re.fullmatch(r"Part [IVX]+", line):
            required.add(i)
        if re.fullmatch(r"Q\d\d", line):
            required |= {i, i + 1, i + 2, i + 3}
        if line.startswith("→ "):
            required |= {i, i + 1}
    return sorted(required)


def _template_required(lines: list[str]) -> list[int]:
    """The template's structural lines: the name, the contents' entries, each section and question heading and
    each field line. (A list keeps working without one of its several bullets.)"""
    return [
        i
        for i, line in enumerate(lines)
        if line.startswith(("# ", "## ", "### Q:", "**", "- [")) and line != "## Table of Contents"
    ]


def _block_of(lines: list[str], index: int, heading: str) -> tuple[int, int]:
    """1-based first and last line of the block (question or part) holding `index`, for where an error may point."""
    starts = [i for i, line in enumerate(lines) if re.match(heading, line)]
    before = [s for s in starts if s <= index]
    after = [s for s in starts if s > index]
    start = before[-1] if before else 0
    end = after[0] if after else len(lines) - 1
    return start + 1, end + 1


@pytest.mark.parametrize(
    ("path", "required", "heading"),
    [
        (HANDBOOK, _handbook_required, r"Q\d\d$|Part |I · "),
        (TEMPLATE, _template_required, r"### Q:|## "),
    ],
    ids=["handbook", "template"],
)
def test_deleting_any_required_line_is_refused_with_a_line_in_its_block(path, required, heading):
    lines = _lines(path)
    indexes = required(lines)
    assert len(indexes) > 400  # the whole structure of the seed, not a sample
    accepted = []
    body = next(i for i, line in enumerate(lines) if line.startswith(("Part I", "## Foundations")))
    for index in indexes:
        try:
            _parse_lines(lines[:index] + lines[index + 1 :])
        except BankFormatError as error:
            # The error points inside the damaged block, or at the contents that no longer match the body
            # (a deleted section heading is missed at its contents entry, a deleted entry at its section).
            first, last = _block_of(lines, index, heading)
            assert first - 1 <= error.line <= last or error.line <= body or index < body, (index + 1, error)
        else:
            accepted.append(index + 1)
    assert accepted == []


def test_a_handbook_cut_anywhere_before_its_last_callout_is_refused_within_what_is_left():
    # Every cut point, not a sample: a sample once missed the cut after the title (an error past the end).
    lines = _lines(HANDBOOK)
    last_callout_text = max(i for i, line in enumerate(lines) if line.startswith("→ ")) + 1
    for keep in range(last_callout_text + 1):
        with pytest.raises(BankFormatError) as raised:
            _parse_lines(lines[:keep])
        assert 1 <= raised.value.line <= max(keep, 1), (keep, raised.value)


def test_a_template_cut_inside_any_question_is_refused_within_that_question():
    lines = _lines(TEMPLATE)
    for start in [i for i, line in enumerate(lines) if line.startswith("### Q:")]:
        first_pitfall = next(i for i in range(start, len(lines)) if lines[i] == "**Common pitfalls:**") + 2
        for keep in range(start + 1, first_pitfall + 1):
            with pytest.raises(BankFormatError) as raised:
                _parse_lines(lines[:keep])
            assert start + 1 <= raised.value.line <= keep, (keep, raised.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_either_parses_or_is_refused_with_a_line_inside_it(text):
    try:
        bank = parse_question_bank(text)
    except BankFormatError as error:
        assert 1 <= error.line <= max(len(text.splitlines()), 1)
    else:
        assert bank.questions


@given(st.text(max_size=120))
def test_a_slug_is_lowercase_words_and_hyphens_and_stable(text):
    value = slug(text)
    assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", value)
    assert slug(value) == value
    assert len(slug(text, 20)) <= 20


@given(st.text(max_size=80))
def test_a_normalized_tag_is_a_tag_or_none(text):
    tag = normalize_tag(text)
    assert tag is None or (re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", tag) and normalize_tag(tag) == tag)
