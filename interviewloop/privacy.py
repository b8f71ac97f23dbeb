"""Candidate data: erasure on request, keeping what calibration needs.

What is erased: the candidate's name (it becomes "Erased candidate #<id>"), email and phone, and
every piece of free text interviewers wrote about them (note answers, scorecard summary, evidence
for scores and red flags, thread notes, amendment reasons and the amended copies), because free
text about a person is personal data and routinely names them. The same text is blanked in the
audit history (django-simple-history rows) and in the admin's action log, which hold copies.

What is kept: the anonymised judgment the rubric calibration needs — scores per dimension, red
flags checked (which, not what was said), thread signals, gut-check answers, votes, timings, the
loop's decision and who interviewed. Nobody can tell from these who the candidate was.

The erasure is recorded (who, when) in the admin action log and the application log, without the
erased data. Running it again is harmless: it re-blanks anything written since and records nothing
new when there was nothing left to erase.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from debriefs import webhooks
from debriefs.services import debrief_documents_refresh
from interviewloop.models import Candidate, Interview, Loop
from scorecards.models import DimensionScore, Note, RedFlagMark, Scorecard, ScorecardAmendment, ThreadPulled

logger = logging.getLogger(__name__)

ERASED = "[erased]"

# model → the free-text fields erased on it (and on its history model), and how a row reaches the candidate.
_FREE_TEXT: list[tuple[Any, tuple[str, ...], str]] = [
    (Note, ("best_thing", "biggest_concern"), "interview__loop__candidate"),
    (Scorecard, ("summary",), "interview__loop__candidate"),
    (DimensionScore, ("evidence",), "scorecard__interview__loop__candidate"),
    (RedFlagMark, ("evidence",), "scorecard__interview__loop__candidate"),
    (ThreadPulled, ("notes",), "scorecard__interview__loop__candidate"),
]


ERASED_NAME_PREFIX = "Erased candidate #"


def erased_name(candidate_id: int) -> str:
    return f"{ERASED_NAME_PREFIX}{candidate_id}"


@dataclass(frozen=True)
class Erasure:
    candidate_id: int
    erased_at: Any
    fields_blanked: int
    history_fields_blanked: int
    first_time: bool

    def summary(self) -> str:
        what = "Erased" if self.first_time else "Already erased; re-checked"
        return (
            f"{what} candidate #{self.candidate_id}: name, email and phone; free text blanked in "
            f"{self.fields_blanked} field(s) and {self.history_fields_blanked} history field(s). "
            "Scores, red flags, signals and votes are kept."
        )


def _blank(queryset: Any, fields: tuple[str, ...]) -> int:
    """Set every non-empty field in `fields` to ERASED; returns the rows changed. `update()` writes no new history."""
    changed = 0
    for field in fields:
        changed += queryset.exclude(**{field: ""}).exclude(**{field: ERASED}).update(**{field: ERASED})
    return changed


@transaction.atomic
def candidate_erase(*, candidate: Candidate, by: Any = None) -> Erasure:
    """Erase a candidate's personal data (see the module docstring). `by` is the user who asked for it, if any."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    first_time = candidate.erased_at is None
    name = erased_name(candidate.pk)
    now = timezone.now()

    rows = 0
    history_rows = 0
    for model, fields, path in _FREE_TEXT:
        rows += _blank(model.objects.filter(**{path: candidate}), fields)
        # History rows reach the candidate the same way (their foreign keys are kept), including rows of
        # objects since deleted, e.g. a draft's scores replaced by a later PUT.
        history_rows += _blank(model.history.filter(**{path: candidate}), fields)
    amendments = ScorecardAmendment.objects.filter(scorecard__interview__loop__candidate=candidate)
    for amendment in amendments.exclude(reason=ERASED):
        # The amended copy is the API body shape: keep its scores, flags, signals and vote, blank its text.
        amendment.previous = _scrub_scorecard_body(amendment.previous)
        amendment.reason = ERASED if amendment.reason else ""
        amendment.save(update_fields=["previous", "reason"])
        rows += 1

    # Webhook bodies name the candidate (pending ones are still to go out): they name the erased candidate now.
    rows += webhooks.deliveries_erase_candidate(candidate_id=candidate.pk, name=name)

    # The admin's action log names objects by their str(), which includes the candidate's name.
    log_rows = _scrub_admin_log(candidate, name)

    # The stored debriefs quote the notes, evidence and name just blanked: rewritten now, in this transaction, once.
    # Saving the candidate's name does it (debriefs.services.debrief_names_saved, on post_save); a repeat erasure
    # that only blanks leftover text rewrites them here.
    personal_changed = (candidate.name, candidate.email, candidate.phone) != (name, "", "")
    if personal_changed or first_time:
        candidate.name, candidate.email, candidate.phone = name, "", ""
        candidate.erased_at = candidate.erased_at or now
        candidate.save(update_fields=["name", "email", "phone", "erased_at"])
    else:
        debrief_documents_refresh(loop_ids=Loop.objects.filter(candidate=candidate).values_list("pk", flat=True))

    result = Erasure(
        candidate_id=candidate.pk,
        erased_at=candidate.erased_at,
        fields_blanked=rows,
        history_fields_blanked=history_rows + log_rows,
        first_time=first_time,
    )
    if first_time or personal_changed or rows or history_rows:
        who = getattr(by, "username", None) or "the command line"
        logger.info("candidate erased: #%s by %s (%s)", candidate.pk, who, result.summary())
        if by is not None and getattr(by, "pk", None) is not None:
            LogEntry.objects.log_actions(
                user_id=by.pk,
                queryset=[candidate],
                action_flag=CHANGE,
                change_message=result.summary(),
                single_object=True,
            )
    return result


def _scrub_scorecard_body(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if body.get("summary"):
        body["summary"] = ERASED
    scores = body.get("scores")
    if isinstance(scores, dict):
        body["scores"] = {
            key: {**value, "evidence": ERASED} if isinstance(value, dict) and value.get("evidence") else value
            for key, value in scores.items()
        }
    for list_key, text_key in (("red_flags", "evidence"), ("threads", "notes")):
        items = body.get(list_key)
        if isinstance(items, list):
            body[list_key] = [
                {**item, text_key: ERASED} if isinstance(item, dict) and item.get(text_key) else item for item in items
            ]
    return body


def _scrub_admin_log(candidate: Candidate, name: str) -> int:
    """Take the candidate's name out of the admin log; returns the entries changed.

    An entry names its object by str() (`object_repr`), and its change message names the inline objects
    added, changed or deleted with it (an interview added on a loop's page is "<candidate> — <position> with
    <interviewer>"). So every entry about the candidate, their loops, interviews, notes, scorecards and
    amendments is scrubbed in both, and so is any other entry that names them in full (an object since
    deleted, say). The name's words are replaced too inside the candidate's own entries (a message may say
    just "Grace"), never elsewhere, where a short word could belong to someone else.
    """
    objects: list[tuple[Any, list[Any]]] = [
        (Candidate, [candidate.pk]),
        (Loop, list(Loop.objects.filter(candidate=candidate).values_list("pk", flat=True))),
        (Interview, list(Interview.objects.filter(loop__candidate=candidate).values_list("pk", flat=True))),
        (Note, list(Note.objects.filter(interview__loop__candidate=candidate).values_list("pk", flat=True))),
        (Scorecard, list(Scorecard.objects.filter(interview__loop__candidate=candidate).values_list("pk", flat=True))),
        (
            ScorecardAmendment,
            list(
                ScorecardAmendment.objects.filter(scorecard__interview__loop__candidate=candidate).values_list(
                    "pk", flat=True
                )
            ),
        ),
    ]
    types = ContentType.objects.get_for_models(*(model for model, _ in objects))
    own_keys = {(types[model].pk, str(pk)) for model, pks in objects for pk in pks}
    own = Q()
    for model, pks in objects:
        own |= Q(content_type=types[model], object_id__in=[str(pk) for pk in pks])
    old_name = "" if candidate.name.startswith(ERASED_NAME_PREFIX) else candidate.name.strip()
    needles = [text for text in (old_name, candidate.email.strip(), candidate.phone.strip()) if text]
    elsewhere = Q()
    for needle in needles:
        for form in {needle, _json_text(needle)}:
            elsewhere |= Q(object_repr__icontains=form) | Q(change_message__icontains=form)
    words = [word for word in re.split(r"\W+", old_name) if len(word) > 1]
    candidate_key = (types[Candidate].pk, str(candidate.pk))
    changed = 0
    entries = LogEntry.objects.filter(own | elsewhere if needles else own)
    for entry in entries.only("pk", "content_type_id", "object_id", "object_repr", "change_message"):
        key = (entry.content_type_id, entry.object_id)
        own_words = words if key in own_keys else []
        object_repr = name if key == candidate_key else _replace_names(entry.object_repr, needles, own_words, name)
        change_message = _replace_names(entry.change_message, needles, own_words, name, json_text=True)
        if (object_repr, change_message) != (entry.object_repr, entry.change_message):
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=object_repr, change_message=change_message)
            changed += 1
    return changed


def _replace_names(text: str, needles: list[str], words: list[str], name: str, *, json_text: bool = False) -> str:
    """`text` with each needle (any case) and each word (a whole word, any case) replaced by `name`.

    With `json_text`, the needles' JSON-escaped forms are replaced too: a change message is JSON, written with
    non-ASCII letters and quotes escaped, and stays valid JSON since `name` needs no escaping.
    """
    forms = (lambda value: {value, _json_text(value)}) if json_text else (lambda value: {value})
    for needle in needles:
        for form in forms(needle):
            text = re.sub(re.escape(form), name, text, flags=re.IGNORECASE)
    for word in words:
        for form in forms(word):
            text = re.sub(rf"\b{re.escape(form)}\b", name, text, flags=re.IGNORECASE)
    return text


def _json_text(value: str) -> str:
    """`value` as it appears inside a JSON string written by `json.dumps` (Django's change messages)."""
    return json.dumps(value)[1:-1]
