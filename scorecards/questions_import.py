"""Writing a parsed question bank: `question_bank_import`, the service behind `manage.py import_questions`.

Idempotent: a bank is found by its key and each question by (bank, key), and only what differs is written, so
importing the same file twice changes nothing the second time (not even `updated_at`). A field the file's shape
does not carry (`None` in the parsed question: the handbook's answers) is left as it is. A question that left the
file is kept and counted (interviews will refer to questions by id), never deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from scorecards.questions import Question, QuestionBank, QuestionTag
from scorecards.questions_parser import ParsedBank, ParsedQuestion

# The plain columns an import sets on a question (tags are rows of their own).
_COLUMNS = ("order", "domain", "domain_name", "title", "prompt", "difficulty", "strong_answer", "pitfalls", "insight")


@dataclass(frozen=True)
class ImportResult:
    bank: QuestionBank
    bank_created: bool
    bank_changed: bool
    created: int
    updated: int
    unchanged: int
    moved: int  # of the unchanged: only their position in the file changed
    not_in_file: int

    @property
    def changed(self) -> bool:
        return self.bank_created or self.bank_changed or bool(self.created or self.updated or self.moved)


def _columns(parsed: ParsedQuestion, order: int) -> dict[str, object]:
    """The question's columns as the file gives them; a field the shape does not carry is left out."""
    values: dict[str, object] = {
        "order": order,
        "domain": parsed.domain,
        "domain_name": parsed.domain_name,
        "title": parsed.title,
        "prompt": parsed.prompt,
    }
    if parsed.difficulty is not None:
        values["difficulty"] = parsed.difficulty
    if parsed.strong_answer is not None:
        values["strong_answer"] = "\n".join(parsed.strong_answer)
    if parsed.pitfalls is not None:
        values["pitfalls"] = "\n".join(parsed.pitfalls)
    if parsed.insight is not None:
        values["insight"] = parsed.insight
    return values


def _tags(slugs: set[str]) -> dict[str, QuestionTag]:
    """The tag rows for `slugs`, creating the missing ones (and writing nothing when none is missing)."""
    if not slugs:
        return {}
    tags = {tag.slug: tag for tag in QuestionTag.objects.filter(slug__in=slugs)}
    if len(tags) < len(slugs):
        # ignore_conflicts: another bank's import may create the same tag at the same moment.
        QuestionTag.objects.bulk_create(
            [QuestionTag(slug=s) for s in sorted(slugs - tags.keys())], ignore_conflicts=True
        )
        tags = {tag.slug: tag for tag in QuestionTag.objects.filter(slug__in=slugs)}
    return tags


@transaction.atomic
def question_bank_import(*, parsed: ParsedBank) -> ImportResult:
    """Create or bring up to date the bank `parsed` describes, in one transaction."""
    bank, bank_created = QuestionBank.objects.get_or_create(
        key=parsed.key, defaults={"name": parsed.name, "description": parsed.description, "source": parsed.shape}
    )
    # One import of a bank at a time: a second one waits here, then finds the first one's questions.
    bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
    bank_values = {"name": parsed.name, "description": parsed.description, "source": parsed.shape}
    bank_changed = not bank_created and any(getattr(bank, name) != value for name, value in bank_values.items())

    existing = {question.key: question for question in bank.questions.prefetch_related("tags")}
    tags = _tags({tag for question in parsed.questions for tag in question.tags or ()})
    to_create: list[tuple[Question, Sequence[str]]] = []
    to_update: list[Question] = []
    retag: list[tuple[Question, Sequence[str]]] = []
    to_move: list[Question] = []
    unchanged = 0
    now = timezone.now()
    for order, item in enumerate(parsed.questions, start=1):
        values = _columns(item, order)
        question = existing.get(item.key)
        if question is None:
            to_create.append((Question(bank=bank, key=item.key, **values), item.tags or ()))
            continue
        differs = {name for name, value in values.items() if getattr(question, name) != value}
        for name in differs:
            setattr(question, name, values[name])
        if item.tags is not None and {tag.slug for tag in question.tags.all()} != set(item.tags):
            retag.append((question, item.tags))
            differs.add("tags")
        if differs - {"order"}:
            question.updated_at = now
            to_update.append(question)
        elif differs:
            to_move.append(question)  # a question above it came or went: same content, new position
        else:
            unchanged += 1

    Question.objects.bulk_create([question for question, _ in to_create])
    if to_update:
        Question.objects.bulk_update(to_update, [*_COLUMNS, "updated_at"])
    if to_move:
        Question.objects.bulk_update(to_move, ["order"])
    Tagging = Question.tags.through
    if retag:
        Tagging.objects.filter(question__in=[question for question, _ in retag]).delete()
    Tagging.objects.bulk_create(
        [
            Tagging(question_id=question.pk, questiontag_id=tags[slug].pk)
            for question, slugs in [*to_create, *retag]
            for slug in slugs
        ]
    )
    if bank_changed or to_create or to_update or to_move:
        for name, value in bank_values.items():
            setattr(bank, name, value)
        bank.imported_at = now
        bank.save()
    listed = {item.key for item in parsed.questions}
    return ImportResult(
        bank=bank,
        bank_created=bank_created,
        bank_changed=bank_changed,
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged + len(to_move),
        moved=len(to_move),
        not_in_file=sum(1 for key in existing if key not in listed),
    )
