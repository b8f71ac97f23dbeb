"""Rubric versions: draft → published → retired, and "new version from this".

A published version is frozen (the models refuse changes); editing a rubric means copying it into a
new draft, changing the draft, and publishing that. Interviews pin the version they were created
with, so publishing or retiring never changes how an existing scorecard reads.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from debriefs.services import debrief_documents_refresh
from interviewloop.errors import Conflict
from interviewloop.models import Loop, Position
from interviewloop.rounds import RoundTemplate
from scorecards.models import Dimension, GutCheckQuestion, NoteQuestion, Phase, RedFlag, Rubric, Thread

logger = logging.getLogger(__name__)

# What a new version does not inherit: its identity and its place in the lifecycle.
_NOT_COPIED = {"id", "version", "status", "based_on_id", "created_at", "published_at", "retired_at"}
_PART_MODELS: tuple[Any, ...] = (Dimension, RedFlag, Thread, Phase, GutCheckQuestion, NoteQuestion)


def _locked(rubric: Rubric) -> Rubric:
    """Re-read the rubric under a row lock, so two admins clicking at once see each other's change."""
    return Rubric.objects.select_for_update().get(pk=rubric.pk)


@transaction.atomic
def rubric_publish(*, rubric: Rubric, at: Any = None) -> Rubric:
    """Publish a draft. From now on it is immutable and can be pinned by interviews.

    It replaces the rubric's previously published version (same name): that one is retired, and the positions
    and round templates that used it move to this one, so new loops get the new text; interviews already
    scheduled keep the version they pinned (DESIGN.md, Domain: Rubric). `published_positions` then lists the positions it holds (all moved
    here: a draft is never a position's rubric), and `replaced_version` the version it retired.
    """
    rubric = _locked(rubric)
    if rubric.status != Rubric.Status.DRAFT:
        raise Conflict(
            f"{rubric} is {rubric.status}; only a draft can be published.", code="rubric_not_draft", rubric=rubric.pk
        )
    if not rubric.dimensions.exists():
        raise Conflict(
            f"{rubric} has no dimensions; add at least one before publishing.", code="rubric_empty", rubric=rubric.pk
        )
    when = at or timezone.now()
    # Locked in version order, as two publishes of the same rubric would take them: one waits for the other.
    previous = list(
        Rubric.objects.select_for_update()
        .filter(name=rubric.name, status=Rubric.Status.PUBLISHED)
        .exclude(pk=rubric.pk)
        .order_by("version")
    )
    for old in previous:
        # save(), not a bulk update: the pinned-rubric cache forgets a version on its post_save.
        old.status = Rubric.Status.RETIRED
        old.retired_at = when
        old.save(update_fields=["status", "retired_at"])
        logger.info("rubric retired: %s (id %s), replaced by %s", old, old.pk, rubric)
    moved_positions = list(Position.objects.filter(rubric__in=previous).values_list("pk", flat=True))
    moved = Position.objects.filter(pk__in=moved_positions).update(rubric=rubric)
    # Their loops' debriefs list the position's rubric's dimensions first.
    debrief_documents_refresh(loop_ids=Loop.objects.filter(position__in=moved_positions).values_list("pk", flat=True))
    _move_round_templates(previous, rubric)
    rubric.status = Rubric.Status.PUBLISHED
    rubric.published_at = when
    rubric.save(update_fields=["status", "published_at"])
    logger.info("rubric published: %s (id %s), %s position(s) moved to it", rubric, rubric.pk, moved)
    return rubric


def _move_round_templates(previous: list[Rubric], rubric: Rubric) -> None:
    """The round templates on a retired version move to the new one, as positions do; a focus key the new version
    no longer has is dropped from the round (an interview scheduled from it would be refused for it)."""
    rounds = list(RoundTemplate.objects.filter(rubric__in=previous))
    if not rounds:
        return
    keys = set(rubric.dimensions.values_list("key", flat=True))
    for round_template in rounds:
        round_template.rubric = rubric
        round_template.focus = [key for key in round_template.focus if key in keys]
    RoundTemplate.objects.bulk_update(rounds, ["rubric", "focus"])
    logger.info("rubric published: %s round template(s) moved to %s", len(rounds), rubric)


def published_positions(rubric: Rubric) -> list[Position]:
    """The positions on `rubric`, by title: after `rubric_publish`, the ones it moved from the previous version."""
    return list(Position.objects.filter(rubric=rubric).order_by("title", "id"))


def replaced_version(rubric: Rubric) -> Rubric | None:
    """The version that `rubric_publish` retired when it published `rubric` (the same name, retired at that moment)."""
    if rubric.published_at is None:
        return None
    return (
        Rubric.objects.filter(name=rubric.name, status=Rubric.Status.RETIRED, retired_at=rubric.published_at)
        .exclude(pk=rubric.pk)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def rubric_new_version(*, rubric: Rubric) -> Rubric:
    """Copy a version (any status) with all its parts into a new draft: the next version number, `based_on` it."""
    source = Rubric.objects.get(pk=rubric.pk)
    # The lock on the source serialises two "new version" clicks on the same rubric; the unique
    # (name, version) constraint catches any other race.
    _locked(source)
    latest = Rubric.objects.filter(name=source.name).aggregate(latest=Max("version"))["latest"] or 0
    fields = {
        field.attname: getattr(source, field.attname)
        for field in Rubric._meta.concrete_fields
        if field.attname not in _NOT_COPIED
    }
    draft = Rubric.objects.create(**fields, version=latest + 1, status=Rubric.Status.DRAFT, based_on_id=source.pk)
    for model in _PART_MODELS:
        copies = []
        for part in model.objects.filter(rubric=source).order_by("order", "id"):
            values = {
                field.attname: getattr(part, field.attname)
                for field in model._meta.concrete_fields
                if field.attname not in ("id", "rubric_id")
            }
            copies.append(model(rubric=draft, **values))
        # bulk_create skips RubricPart.save()'s editability check, which would pass anyway: the target is a draft.
        model.objects.bulk_create(copies)
    logger.info("rubric new version: %s from %s (id %s)", draft, source, source.pk)
    return draft


@transaction.atomic
def rubric_retire(*, rubric: Rubric, at: Any = None) -> Rubric:
    """Retire a published version: it stays readable (interviews pinned to it keep it) but is no longer offered."""
    rubric = _locked(rubric)
    if rubric.status != Rubric.Status.PUBLISHED:
        raise Conflict(
            f"{rubric} is {rubric.status}; only a published version can be retired"
            + (" (a draft can simply be deleted)." if rubric.status == Rubric.Status.DRAFT else "."),
            code="rubric_not_published",
            rubric=rubric.pk,
        )
    rubric.status = Rubric.Status.RETIRED
    rubric.retired_at = at or timezone.now()
    rubric.save(update_fields=["status", "retired_at"])
    logger.info("rubric retired: %s (id %s)", rubric, rubric.pk)
    return rubric
