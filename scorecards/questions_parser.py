"""Question banks from files, as a pure function: the file's text in, a `ParsedBank` out, or a `BankFormatError`
naming the line that broke. No Django here; `scorecards.questions_import` writes what this returns.

Two shapes, the two the client's seeds come in (DESIGN.md, "Every round of a loop"):

- **template** (seeds/003): markdown. `# Bank name`, an optional `## Table of Contents` of `- [Section](#anchor)`
  lines, then `## Section` headings, each with questions in the strict template:
  `### Q: title`, `**Difficulty:** Easy|Medium|Hard`, `**Tags:** a,b,c`, `**Question:** text`,
  `**What a strong answer includes:**` then `- ` bullets, `**Common pitfalls:**` then `- ` bullets.
- **handbook** (seeds/001): text taken from a PDF handbook. A header declaring `60 Questions · 8 Domains`,
  the title, a table of contents with one block per domain (`I · Architecture`, its range `Q01`, an en dash, `Q08`; one
  `Q01Title` line per question), then the parts: `Part I`, prose, and per question `Q01` alone on a line, a blank
  line, the question, a blank line, the model answer, and a callout (`→ Key Insight` and one line of text).
  The handbook is third-party prose (seeds/README.md: "do not copy its answers into the product"): its domain,
  title and question are kept; the answer and the callout are checked for shape, so a damaged file is still
  refused, but none of their text is returned. Fields a shape does not carry are `None`, and the import leaves
  them as they are (an admin's own strong answer or insight survives a re-import).

Keys are stable, so importing a file again finds the same questions: the bank's key is the slug of its name; a
question's is `q01`… in the handbook (its number) and the slug of its title in the template.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")

# Column sizes of `scorecards.questions`: a longer value is refused here with its line, not by the database.
MAX_BANK_NAME = 200
MAX_BANK_KEY = 80
MAX_QUESTION_KEY = 100
MAX_DOMAIN_NAME = 120
MAX_TITLE = 300
MAX_TAG = 60
MAX_TAGS = 20
MAX_PROMPT = 4000

SHAPE_TEMPLATE = "template"
SHAPE_HANDBOOK = "handbook"


class BankFormatError(ValueError):
    """The file is not a well-formed question bank: `line` (1-based) is where it broke."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ParsedQuestion:
    key: str
    line: int
    domain: str
    domain_name: str
    title: str
    prompt: str
    # None: the file's shape does not carry the field (the import leaves it as it is).
    difficulty: str | None = None
    tags: tuple[str, ...] | None = None
    strong_answer: tuple[str, ...] | None = None
    pitfalls: tuple[str, ...] | None = None
    insight: str | None = None


@dataclass(frozen=True)
class ParsedBank:
    key: str
    name: str
    shape: str
    description: str
    questions: tuple[ParsedQuestion, ...]


def slug(text: str, max_length: int = 100) -> str:
    """Lowercase ASCII words joined by hyphens ("RAG & Retrieval" → "rag-retrieval"), cut at a word boundary."""
    # Accents fold into their letter ("é" → "e"); any other non-ASCII character (a dash, "&") separates words.
    ascii_text = (
        text
        if text.isascii()
        else "".join(
            char if char.isascii() else ("" if unicodedata.combining(char) else "-")
            for char in unicodedata.normalize("NFKD", text)
        )
    )
    value = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(value) > max_length:
        value = value[:max_length]
        value = value.rsplit("-", 1)[0] if "-" in value else value
    return value


TAG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def normalize_tag(text: str) -> str | None:
    """A tag as stored and filtered: lowercase, hyphenated; None when it is not one."""
    value = text.strip().lower()
    return value if TAG_PATTERN.fullmatch(value) and len(value) <= MAX_TAG else None


def parse_question_bank(text: str) -> ParsedBank:
    """Parse a bank file of either shape; raise `BankFormatError` with the line that broke."""
    lines = [_repair_mojibake(line.rstrip()) for line in text.lstrip("\ufeff").splitlines()]
    if any(line.startswith("### Q:") for line in lines):
        return _parse_template(lines)
    if any(_HANDBOOK_MARKER.fullmatch(line) or _HANDBOOK_SIZE.fullmatch(line) for line in lines):
        return _parse_handbook(lines)
    raise BankFormatError(
        1,
        "This is not a question bank the importer knows: expected questions as '### Q: <title>' headings "
        "(the markdown template) or a handbook declaring 'N Questions · M Domains' with 'Q01' markers.",
    )


_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00e2][\u0080-\u00bf\u20ac\u201a-\u203a\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]"
)


def _repair_mojibake(line: str) -> str:
    """UTF-8 that was once read as Windows-1252 ("overnightâ€”how" → "overnight—how"), put back.

    The seeds' README says their encoding was repaired, and one title of seeds/003 still had it. Only a line that
    shows the pattern and comes back whole as UTF-8 is changed, so text that merely contains "â" stays as it is."""
    if not _MOJIBAKE.search(line):
        return line
    try:
        return line.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return line


def _checked_length(value: str, limit: int, line: int, what: str) -> str:
    if len(value) > limit:
        raise BankFormatError(line, f"The {what} is {len(value)} characters long; at most {limit} fit.")
    return value


# --- the markdown template (seeds/003) -------------------------------------------------------------------

_TEMPLATE_FIELDS = (
    ("difficulty", "**Difficulty:**"),
    ("tags", "**Tags:**"),
    ("question", "**Question:**"),
    ("strong_answer", "**What a strong answer includes:**"),
    ("pitfalls", "**Common pitfalls:**"),
)
_TOC_HEADING = "## Table of Contents"
_TOC_ENTRY = re.compile(r"- \[(?P<name>[^\]]+)\]\(#[^)]*\)")


@dataclass
class _Open:
    """The question being read: its heading line and what has been read of it so far."""

    line: int
    title: str
    domain: str
    domain_name: str
    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=lambda: {"strong_answer": [], "pitfalls": []})
    expecting: int = 0  # index in _TEMPLATE_FIELDS of the next field line


def _parse_template(lines: Sequence[str]) -> ParsedBank:
    name_line = _first_content_line(lines)
    if name_line is None or not lines[name_line - 1].startswith("# "):
        raise BankFormatError(name_line or 1, "The file must start with the bank's name as '# <name>'.")
    name = _checked_length(lines[name_line - 1][2:].strip(), MAX_BANK_NAME, name_line, "bank name")
    if not slug(name):
        raise BankFormatError(name_line, "The bank's name needs at least one letter or digit.")
    description: list[str] = []
    toc: list[tuple[int, str]] | None = None
    sections: list[tuple[int, str]] = []  # (line, name) of each `## ` section, in order
    in_toc = False
    current: _Open | None = None
    questions: list[ParsedQuestion] = []
    keys: dict[str, int] = {}

    def close(at: int) -> None:
        nonlocal current
        if current is not None:
            questions.append(_template_question(current, keys, at))
            current = None

    def check_section_has_questions() -> None:
        if sections and not any(q.domain_name == sections[-1][1] for q in questions):
            raise BankFormatError(sections[-1][0], f"The section '{sections[-1][1]}' has no questions.")

    for number in range(name_line + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.startswith(("### Q:", "## ", "# ")):
            close(number)
        if line.startswith("# "):
            raise BankFormatError(number, "A file holds one bank: a second '# ' name line is not allowed.")
        if line.startswith("## "):
            heading = line[3:].strip()
            if line.strip() == _TOC_HEADING:
                if toc is not None or sections:
                    raise BankFormatError(number, "The table of contents must come once, before the first section.")
                toc, in_toc = [], True
                continue
            in_toc = False
            check_section_has_questions()
            _checked_length(heading, MAX_DOMAIN_NAME, number, "section name")
            if not slug(heading):
                raise BankFormatError(number, "A section's name needs at least one letter or digit.")
            if any(slug(heading) == slug(seen) for _, seen in sections):
                raise BankFormatError(number, f"The section '{heading}' comes twice.")
            sections.append((number, heading))
            continue
        if line.startswith("### Q:"):
            if not sections:
                raise BankFormatError(number, "A question must come under a '## <section>' heading.")
            title = _checked_length(line[len("### Q:") :].strip(), MAX_TITLE, number, "question title")
            if not slug(title):
                raise BankFormatError(number, "A question's title after '### Q:' needs at least one letter or digit.")
            section_name = sections[-1][1]
            current = _Open(number, title, slug(section_name, MAX_QUESTION_KEY), section_name)
            continue
        if current is not None:
            _template_line(current, number, line.strip())
        elif not line.strip():
            continue
        elif in_toc:
            entry = _TOC_ENTRY.fullmatch(line.strip())
            if entry is None:
                raise BankFormatError(number, "Each line of the table of contents must be '- [Section](#anchor)'.")
            assert toc is not None
            toc.append((number, entry["name"].strip()))
        elif sections:
            raise BankFormatError(number, f"Unexpected text in the section '{sections[-1][1]}' outside a question.")
        else:
            description.append(line.strip())
    close(max(len(lines), 1))
    if not sections:
        raise BankFormatError(max(len(lines), 1), "The file has no '## <section>' with questions.")
    check_section_has_questions()
    if toc is not None:
        _check_toc(toc, sections)
    return ParsedBank(
        key=slug(name, MAX_BANK_KEY),
        name=name,
        shape=SHAPE_TEMPLATE,
        description="\n".join(description),
        questions=tuple(questions),
    )


def _template_line(current: _Open, number: int, line: str) -> None:
    """Read one line inside a question: the next field in the template's order, or a bullet of the open list."""
    if not line:
        return
    if current.expecting < len(_TEMPLATE_FIELDS):
        field_name, label = _TEMPLATE_FIELDS[current.expecting]
        if line.startswith(label):
            value = line[len(label) :].strip()
            if field_name == "pitfalls" and not current.lists["strong_answer"]:
                raise BankFormatError(number, f"{_TEMPLATE_FIELDS[3][1]} needs at least one '- ' bullet.")
            current.fields[field_name] = _template_field(field_name, label, value, number)
            current.expecting += 1
            return
    open_list = {4: "strong_answer", 5: "pitfalls"}.get(current.expecting)
    if open_list is not None and line.startswith("- ") and line[2:].strip():
        current.lists[open_list].append(line[2:].strip())
        return
    if current.expecting == len(_TEMPLATE_FIELDS):
        raise BankFormatError(number, "Expected a '- ' bullet under **Common pitfalls:** or the next '### Q:'.")
    expected = _TEMPLATE_FIELDS[current.expecting][1]
    bullet = f" or a '- ' bullet under {_TEMPLATE_FIELDS[current.expecting - 1][1]}" if open_list else ""
    raise BankFormatError(
        number, f"Expected {expected}{bullet} in the question '{current.title}' (line {current.line})."
    )


def _template_field(field_name: str, label: str, value: str, number: int) -> str:
    """A field line's value, checked: a known difficulty, well-formed tags, a question; lists start empty."""
    if field_name in ("strong_answer", "pitfalls"):
        if value:
            raise BankFormatError(number, f"{label} takes its points as '- ' bullets on the lines below it.")
        return ""
    if not value:
        raise BankFormatError(number, f"{label} is empty.")
    if field_name == "difficulty":
        if value.lower() not in DIFFICULTIES:
            raise BankFormatError(number, f"The difficulty '{value}' is not one of Easy, Medium, Hard.")
        return value.lower()
    if field_name == "tags":
        tags: list[str] = []
        for raw in value.split(","):
            tag = normalize_tag(raw)
            if tag is None:
                raise BankFormatError(
                    number,
                    f"'{raw.strip()}' is not a tag: lowercase letters, digits and hyphens, at most {MAX_TAG} characters.",
                )
            if tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise BankFormatError(number, f"At most {MAX_TAGS} tags fit on a question.")
        return ",".join(tags)
    return _checked_length(value, MAX_PROMPT, number, "question")


def _template_question(current: _Open, keys: dict[str, int], at: int) -> ParsedQuestion:
    if current.expecting < len(_TEMPLATE_FIELDS):
        missing = _TEMPLATE_FIELDS[current.expecting][1]
        raise BankFormatError(
            at, f"The question '{current.title}' (line {current.line}) ends before its {missing} line."
        )
    if not current.lists["pitfalls"]:
        raise BankFormatError(
            at, f"The question '{current.title}' (line {current.line}) has no '- ' bullet under **Common pitfalls:**."
        )
    key = slug(current.title, MAX_QUESTION_KEY)
    if key in keys:
        raise BankFormatError(
            current.line, f"The question '{current.title}' has the same key as the one on line {keys[key]}."
        )
    keys[key] = current.line
    return ParsedQuestion(
        key=key,
        line=current.line,
        domain=current.domain,
        domain_name=current.domain_name,
        title=current.title,
        prompt=current.fields["question"],
        difficulty=current.fields["difficulty"],
        tags=tuple(current.fields["tags"].split(",")),
        strong_answer=tuple(current.lists["strong_answer"]),
        pitfalls=tuple(current.lists["pitfalls"]),
        insight=None,
    )


def _check_toc(toc: list[tuple[int, str]], sections: list[tuple[int, str]]) -> None:
    listed = [slug(name) for _, name in toc]
    present = [slug(name) for _, name in sections]
    for line, name in toc:
        if slug(name) not in present:
            raise BankFormatError(line, f"The table of contents lists '{name}', but the file has no such section.")
    for line, name in sections:
        if slug(name) not in listed:
            raise BankFormatError(line, f"The section '{name}' is not in the table of contents.")
    if listed != present:
        line, name = next(s for s, want in zip(sections, listed, strict=True) if slug(s[1]) != want)
        raise BankFormatError(line, f"The section '{name}' is out of the table of contents' order.")


def _first_content_line(lines: Sequence[str]) -> int | None:
    return next((number for number, line in enumerate(lines, start=1) if line.strip()), None)


# --- the handbook (seeds/001) ------------------------------------------------------------------------------

_HANDBOOK_SIZE = re.compile(r"(?P<questions>\d+) Questions · (?P<domains>\d+) Domains")
_HANDBOOK_MARKER = re.compile(r"Q(?P<number>\d{2,3})")
_TOC_DOMAIN = re.compile(r"(?P<roman>[IVXLC]+) · (?P<name>\S.*)")
EN_DASH = "\u2013"
_TOC_RANGE = re.compile(rf"Q(?P<first>\d{{2,3}}){EN_DASH}Q(?P<last>\d{{2,3}})")
_TOC_TITLE = re.compile(rf"Q(?P<number>\d{{2,3}})(?P<title>[^\d\s{EN_DASH}].*)")
_PART = re.compile(r"Part (?P<roman>[IVXLC]+)")
_CALLOUT = re.compile(r"→ (?P<kind>\S.*)")


def _to_roman(value: int) -> str:
    ones = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")
    return "X" * (value // 10) + ones[value % 10]


# Parts and domains are numbered I, II, … (up to 39 of them).
_ROMAN_NUMERALS = {_to_roman(value): value for value in range(1, 40)}


@dataclass
class _Domain:
    line: int
    name: str
    first: int = 0
    last: int = 0
    titles: dict[int, str] | None = None


def _parse_handbook(lines: Sequence[str]) -> ParsedBank:
    size_line = next((n for n, line in enumerate(lines, start=1) if _HANDBOOK_SIZE.fullmatch(line.strip())), None)
    if size_line is None:
        raise BankFormatError(1, "The handbook's header must declare its size as 'N Questions · M Domains'.")
    size = _HANDBOOK_SIZE.fullmatch(lines[size_line - 1].strip())
    assert size is not None
    declared_questions, declared_domains = int(size["questions"]), int(size["domains"])
    name, after_name = _handbook_name(lines, size_line)
    toc_start = next(
        (n for n in range(after_name, len(lines) + 1) if _TOC_DOMAIN.fullmatch(lines[n - 1].strip())), None
    )
    if toc_start is None:
        # After the title the file may simply end: point at its last line, not past it.
        raise BankFormatError(
            min(after_name, max(len(lines), 1)),
            "Expected the table of contents: 'I · <domain>' lines with their questions.",
        )
    body_start = next(
        (n for n in range(toc_start, len(lines) + 1) if _PART.fullmatch(lines[n - 1].strip())), len(lines) + 1
    )
    domains = _handbook_toc(lines, toc_start, body_start)
    total = sum(len(d.titles or {}) for d in domains)
    if len(domains) != declared_domains:
        raise BankFormatError(
            size_line,
            f"The header declares {declared_domains} domains but the table of contents has {len(domains)}.",
        )
    if total != declared_questions:
        raise BankFormatError(
            size_line, f"The header declares {declared_questions} questions but the table of contents lists {total}."
        )
    prompts = _handbook_body(lines, body_start, domains, declared_questions)
    questions = []
    for domain in domains:
        for number, title in (domain.titles or {}).items():
            line, prompt = prompts[number]
            questions.append(
                ParsedQuestion(
                    key=f"q{number:02d}",
                    line=line,
                    domain=slug(domain.name, MAX_QUESTION_KEY),
                    domain_name=domain.name,
                    title=title,
                    prompt=prompt,
                )
            )
    return ParsedBank(
        key=slug(name, MAX_BANK_KEY), name=name, shape=SHAPE_HANDBOOK, description="", questions=tuple(questions)
    )


def _handbook_name(lines: Sequence[str], size_line: int) -> tuple[str, int]:
    """The title: the paragraph after the header's. Returns it and the line after it."""
    number = size_line
    while number <= len(lines) and lines[number - 1].strip():
        number += 1
    while number <= len(lines) and not lines[number - 1].strip():
        number += 1
    first = number
    words = []
    while number <= len(lines) and lines[number - 1].strip():
        words.append(lines[number - 1].strip())
        number += 1
    name = " ".join(words)
    if not slug(name):
        raise BankFormatError(min(first, max(len(lines), 1)), "Expected the handbook's title after its header.")
    return _checked_length(name, MAX_BANK_NAME, first, "handbook title"), number


def _handbook_toc(lines: Sequence[str], start: int, end: int) -> list[_Domain]:
    domains: list[_Domain] = []
    expected_number = 1
    for number in range(start, end):
        line = lines[number - 1].strip()
        if not line:
            continue
        if found := _TOC_DOMAIN.fullmatch(line):
            if domains:
                _check_domain_complete(domains[-1])
            if _ROMAN_NUMERALS.get(found["roman"]) != len(domains) + 1:
                raise BankFormatError(number, f"Expected domain {_numeral(len(domains) + 1)} of the contents here.")
            name = _checked_length(found["name"].strip(), MAX_DOMAIN_NAME, number, "domain name")
            if not slug(name):
                raise BankFormatError(number, "A domain's name needs at least one letter or digit.")
            domains.append(_Domain(number, name, titles={}))
            continue
        if not domains:
            raise BankFormatError(number, "Unexpected line in the table of contents.")
        domain = domains[-1]
        if found := _TOC_RANGE.fullmatch(line):
            if domain.first or domain.titles:
                raise BankFormatError(number, f"The range of '{domain.name}' must come right after its name, once.")
            domain.first, domain.last = int(found["first"]), int(found["last"])
            if domain.first != expected_number or domain.last < domain.first:
                raise BankFormatError(
                    number, f"'{domain.name}' should start at Q{expected_number:02d} and end after it: {line}."
                )
            continue
        if found := _TOC_TITLE.fullmatch(line):
            question = int(found["number"])
            if not domain.first:
                raise BankFormatError(
                    number, f"'{domain.name}' needs its range (e.g. 'Q01{EN_DASH}Q08') before its questions."
                )
            if question != expected_number or question > domain.last:
                raise BankFormatError(
                    number,
                    f"Expected Q{expected_number:02d} here"
                    + (f" ('{domain.name}' ends at Q{domain.last:02d})" if question > domain.last else "")
                    + f", found Q{question:02d}.",
                )
            assert domain.titles is not None
            domain.titles[question] = _checked_length(found["title"].strip(), MAX_TITLE, number, "question title")
            expected_number += 1
            continue
        raise BankFormatError(number, f"Unexpected line in the table of contents, under '{domain.name}'.")
    if not domains:
        raise BankFormatError(start, "The table of contents lists no domains.")
    _check_domain_complete(domains[-1])
    return domains


def _numeral(value: int) -> str:
    return _to_roman(value) if 0 < value < 40 else str(value)


def _check_domain_complete(domain: _Domain) -> None:
    listed = len(domain.titles or {})
    if not domain.first:
        raise BankFormatError(
            domain.line, f"'{domain.name}' needs its range (e.g. 'Q01{EN_DASH}Q08') on the next line."
        )
    if listed != domain.last - domain.first + 1:
        raise BankFormatError(
            domain.line,
            f"'{domain.name}' covers Q{domain.first:02d}{EN_DASH}Q{domain.last:02d} but lists {listed} questions.",
        )


def _handbook_body(lines: Sequence[str], start: int, domains: list[_Domain], total: int) -> dict[int, tuple[int, str]]:
    """Each question's (line, prompt), checking every question's layout: marker, blank, question, blank, answer,
    callout and its line. Returns no answer text (third-party prose)."""
    if start > len(lines):
        raise BankFormatError(max(len(lines), 1), "The file ends before the questions: expected 'Part I'.")
    prompts: dict[int, tuple[int, str]] = {}
    part = 0
    expected = 1
    number = start
    while number <= len(lines):
        line = lines[number - 1].strip()
        if found := _PART.fullmatch(line):
            if _ROMAN_NUMERALS.get(found["roman"]) != part + 1:
                raise BankFormatError(number, f"Expected Part {_numeral(part + 1)} here.")
            if part >= len(domains):
                raise BankFormatError(number, f"The contents have {len(domains)} domains; there is no Part {line[5:]}.")
            if part and expected <= domains[part - 1].last:
                raise BankFormatError(number, f"Part {_numeral(part)} ends before Q{expected:02d}.")
            part += 1
            number += 1
            continue
        if found := _HANDBOOK_MARKER.fullmatch(line):
            question = int(found["number"])
            if question != expected:
                raise BankFormatError(number, f"Expected Q{expected:02d} here, found Q{question:02d}.")
            if not part:
                raise BankFormatError(number, "A question must come inside a 'Part'.")
            domain = domains[part - 1]
            if not domain.first <= question <= domain.last:
                raise BankFormatError(
                    number,
                    f"Q{question:02d} is not in Part {_numeral(part)}: '{domain.name}' holds "
                    f"Q{domain.first:02d}{EN_DASH}Q{domain.last:02d}.",
                )
            prompt, number = _handbook_question(lines, number, question, last=question == total)
            prompts[question] = prompt
            expected += 1
            if question == total:
                break  # what follows the last question is the back cover
            continue
        if part and expected > domains[part - 1].first:
            raise BankFormatError(number, f"Expected Q{expected:02d} or the next 'Part' after Q{expected - 1:02d}.")
        number += 1  # a part's introduction, before its first question
    if expected <= total:
        raise BankFormatError(
            max(len(lines), 1), f"The file ends before Q{expected:02d}; the header declares {total} questions."
        )
    return prompts


def _handbook_question(lines: Sequence[str], marker: int, question: int, *, last: bool) -> tuple[tuple[int, str], int]:
    """Read one question from its marker line; return ((line, prompt), the line after its callout)."""
    name = f"Q{question:02d} (line {marker})"

    def at(number: int) -> str | None:
        return lines[number - 1].strip() if number <= len(lines) else None

    if at(marker + 1) != "":
        raise BankFormatError(min(marker + 1, len(lines)), f"{name}: expected a blank line after the marker.")
    prompt = at(marker + 2)
    if not prompt or _is_structure(prompt):
        raise BankFormatError(min(marker + 2, len(lines)), f"{name}: expected the question on this line.")
    if at(marker + 3) != "":
        raise BankFormatError(min(marker + 3, len(lines)), f"{name}: expected a blank line after the question.")
    number = marker + 4
    answer_lines = 0
    while True:
        line = at(number)
        if line is None or _HANDBOOK_MARKER.fullmatch(line) or _PART.fullmatch(line):
            raise BankFormatError(
                min(number, len(lines)), f"{name} ends without its callout ('→ Key Insight' and its line of text)."
            )
        if _CALLOUT.fullmatch(line):
            break
        answer_lines += bool(line)
        number += 1
    if not answer_lines:
        raise BankFormatError(number, f"{name} has no answer before its callout.")
    text = at(number + 1)
    # The callout's text is one sentence: so a missing one is not mistaken for the back cover's first line.
    if not text or _is_structure(text) or not text.endswith((".", "!", "?", '"', "\u201d", ")")):
        raise BankFormatError(
            min(number + 1, len(lines)), f"{name}: expected the callout's text, a sentence, after '{line}'."
        )
    following = at(number + 2)
    if not last and (following is None or not (_HANDBOOK_MARKER.fullmatch(following) or _PART.fullmatch(following))):
        raise BankFormatError(
            min(number + 2, len(lines)), f"{name}: expected Q{question + 1:02d} or the next 'Part' after its callout."
        )
    return (marker, _checked_length(prompt, MAX_PROMPT, marker + 2, "question")), number + 2


def _is_structure(line: str) -> bool:
    return bool(_HANDBOOK_MARKER.fullmatch(line) or _PART.fullmatch(line) or _CALLOUT.fullmatch(line))
