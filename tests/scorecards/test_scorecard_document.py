"""ScorecardSerializer writes the scorecard document itself, without DRF walking its nested fields: here it gives
exactly what the declared fields give, for every state a scorecard can be in (and in another time zone)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework import serializers

from scorecards.selectors import scorecard_with_parts
from scorecards.serializers import ScorecardSerializer, scorecard_document
from tests.scorecards.conftest import full_body

pytestmark = [pytest.mark.django_db]


def both_ways(interview) -> tuple[dict, dict]:
    document = scorecard_document(interview, scorecard_with_parts(interview))
    serializer = ScorecardSerializer(document)
    by_fields = serializers.Serializer.to_representation(serializer, document)  # DRF's own walk of the fields
    return serializer.data, dict(by_fields)


def assert_same(interview) -> dict:
    fast, by_fields = both_ways(interview)
    assert fast == by_fields
    assert list(fast) == list(by_fields)  # same keys, same order
    return fast


def test_every_state_of_a_scorecard_serializes_as_its_declared_fields(noted_interview, alice):
    url = f"/api/interviews/{noted_interview.pk}/scorecard/"
    assert assert_same(noted_interview)["status"] == "not_started"

    partial = {"scores": {"systems_thinking": {"score": None, "evidence": ""}, "measurement": {"score": 2}}}
    assert alice.put(url, {**partial, "threads": [{"key": "first_two_weeks"}]}, format="json").status_code == 200
    assert assert_same(noted_interview)["status"] == "draft"

    body = full_body(score=4, vote="no", red_flags=("defensive",))
    assert alice.put(url, body, format="json").status_code == 200
    assert alice.post(url + "submit/", {}, format="json").status_code == 200
    assert assert_same(noted_interview)["status"] == "submitted"

    amended = alice.post(url + "amend/", {**body, "summary": "Re-read: weaker.", "reason": "My notes."}, format="json")
    assert amended.status_code == 200
    document = assert_same(noted_interview)
    assert document["amendments"][0]["previous_vote"] == "no"
    with timezone.override("America/New_York"):  # datetimes in the current zone, as DateTimeField writes them
        assert not assert_same(noted_interview)["amended_at"].endswith("Z")
