"""django-simple-history's managers on every model with history: they record and read."""

from __future__ import annotations

import pytest
from simple_history.manager import HistoryManager

from interviewloop.models import Loop
from scorecards.models import DimensionScore, Note, Rubric, Scorecard, ThreadPulled
from tests.factories import LoopFactory

HISTORY_MODELS = [Loop, Rubric, Note, Scorecard, DimensionScore, ThreadPulled]


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda model: model.__name__)
def test_every_model_has_simple_historys_manager(model):
    first = model.history  # type: ignore[attr-defined]
    assert isinstance(first, HistoryManager) and first.model is model.history.model  # type: ignore[attr-defined]
    assert first.instance is None
    # the historical queryset's own methods are there, as simple_history's descriptor gives them
    assert callable(first.as_of) and callable(first.filter(pk=0).latest_of_each)


@pytest.mark.django_db
def test_an_instances_history_is_its_own(recruiter):
    loop, other = LoopFactory(recruiter=recruiter), LoopFactory(recruiter=recruiter)
    loop.decision_reason = "Waiting for the panel."
    loop.save()

    assert loop.history.instance == loop  # type: ignore[attr-defined]
    assert [h.history_type for h in loop.history.order_by("history_id")] == ["+", "~"]  # type: ignore[attr-defined]
    assert [h.history_type for h in other.history.all()] == ["+"]  # type: ignore[attr-defined]
    assert Loop.history.filter(id=loop.pk).latest().decision_reason == "Waiting for the panel."  # type: ignore[attr-defined]
