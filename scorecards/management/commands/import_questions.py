"""`python manage.py import_questions FILE [FILE ...]`: import question banks (DESIGN.md, "Question banks").

Every file is read and parsed before anything is written; a file that is not a well-formed bank stops the command
with its path, the line that broke and what was expected, and nothing of any file is imported. The writes then
happen in one transaction. Importing the same files again changes nothing (`scorecards.questions_import`).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from scorecards.questions_import import ImportResult, question_bank_import
from scorecards.questions_parser import BankFormatError, ParsedBank, parse_question_bank

# A bank is text: the seeds are 50-100 kB. A bigger file is a mistake, not a bank.
MAX_FILE_BYTES = 5 * 1024 * 1024


def read_bank(path: Path) -> ParsedBank:
    """Parse one file, or raise CommandError with a sentence naming the file (and the line, if it is one)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CommandError(f"{path}: {size} bytes is too big for a question bank (at most {MAX_FILE_BYTES}).")
        raw = path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror or error}).") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CommandError(f"{path}, line {line}: the file is not UTF-8 text. Nothing was imported.") from error
    try:
        return parse_question_bank(text)
    except BankFormatError as error:
        raise CommandError(f"{path}, line {error.line}: {error.message} Nothing was imported.") from error


class Command(BaseCommand):
    help = "Import question banks from files shaped like seeds/001 (handbook) or seeds/003 (markdown template)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", type=Path)

    def handle(self, *args, **options) -> None:
        paths: list[Path] = options["files"]
        banks = [(path, read_bank(path)) for path in paths]
        with transaction.atomic():
            results = [(path, question_bank_import(parsed=parsed)) for path, parsed in banks]
        for path, result in results:
            self.stdout.write(self._summary(path, result))

    def _summary(self, path: Path, result: ImportResult) -> str:
        bank = result.bank
        total = result.created + result.updated + result.unchanged
        line = (
            f"{path}: '{bank.name}' ({bank.key}), {total} questions: "
            f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged."
        )
        if result.moved:
            line += f" {result.moved} of them moved to a new position in the file."
        if result.not_in_file:
            many = result.not_in_file != 1
            line += (
                f" {result.not_in_file} question{'s' if many else ''} of the bank {'are' if many else 'is'} not in"
                f" the file; kept, as interviews may refer to {'them' if many else 'it'}."
            )
        return self.style.SUCCESS(line) if result.changed else line
