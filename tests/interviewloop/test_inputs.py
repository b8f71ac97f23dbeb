"""The rules every typed input goes through (interviewloop.inputs, the API's JSON depth check and the id converter):
pure, tested without the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from interviewloop.api.parsers import json_depth_exceeds
from interviewloop.converters import MAX_ID, IdConverter
from interviewloop.errors import Invalid
from interviewloop.inputs import (
    EARLIEST,
    LATEST,
    TEXT_LIMITS,
    DateTimeRangeValidator,
    Problem,
    TextValidator,
    check_text,
    datetime_problem,
    limit_for,
    text_problem,
)

# --- text -----------------------------------------------------------------------------------------------


def test_a_nul_is_an_invalid_character():
    assert text_problem("Dana\x00Reyes", limit=200) == Problem(
        "invalid_character",
        "contains a character that cannot be stored (a NUL or a lone surrogate): remove it and send it again.",
    )


def test_a_lone_surrogate_is_an_invalid_character():
    assert text_problem("evidence \ud800", limit=200).code == "invalid_character"


def test_a_text_over_its_limit_is_too_long_and_says_both_lengths():
    assert text_problem("x" * 10_001, limit=10_000) == Problem(
        "too_long", "is 10,001 characters long; at most 10,000 are kept."
    )


def test_a_text_at_its_limit_is_kept():
    assert text_problem("é" * 5000, limit=5000) is None


@given(st.text(), st.integers(min_value=0, max_value=300))
def test_text_is_refused_exactly_for_a_bad_character_or_for_length(value, limit):
    bad = any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in value)
    problem = text_problem(value, limit=limit)
    if bad:
        assert problem is not None and problem.code == "invalid_character"
    elif len(value) > limit:
        assert problem is not None and problem.code == "too_long"
    else:
        assert problem is None


def test_each_field_has_its_cap_whatever_its_path():
    assert limit_for("summary") == TEXT_LIMITS["summary"] == 10_000
    assert limit_for("scores.systems_thinking.evidence") == 5000
    assert limit_for("red_flags[3].evidence") == 5000
    assert limit_for("threads[0].notes") == 5000
    assert (limit_for("name"), limit_for("title"), limit_for("email")) == (200, 200, 254)
    assert limit_for("reason") == 2000


def test_check_text_strips_and_names_the_field_and_the_limit():
    assert check_text("  fine  ", field="summary") == "fine"
    assert check_text(None, field="summary") == ""
    with pytest.raises(Invalid) as refused:
        check_text("x" * 5001, field="scores.measurement.evidence")
    assert refused.value.as_dict() == {
        "code": "too_long",
        "detail": "scores.measurement.evidence is 5,001 characters long; at most 5,000 are kept.",
        "field": "scores.measurement.evidence",
        "limit": 5000,
    }
    with pytest.raises(Invalid) as refused:
        check_text("a\x00", field="q")
    assert refused.value.as_dict()["code"] == "invalid_character"
    assert refused.value.as_dict()["field"] == "q"
    with pytest.raises(Invalid) as refused:
        check_text(42, field="summary")
    assert refused.value.as_dict() == {"code": "invalid", "detail": "summary must be text.", "field": "summary"}


def test_trailing_whitespace_does_not_count_toward_the_limit():
    assert check_text("x" * 200 + "   \n", field="name") == "x" * 200


def test_the_validator_raises_the_rules_code():
    with pytest.raises(ValidationError) as refused:
        TextValidator(10)("x" * 11)
    assert refused.value.code == "too_long"
    TextValidator(10)("x" * 10)


# --- dates and times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1, 1, 1, 23, 0, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 0, 0, tzinfo=timezone(timedelta(hours=-12))),
        EARLIEST - timedelta(microseconds=1),
        LATEST + timedelta(microseconds=1),
        datetime(1969, 12, 31, 23, 0),  # naive: read as UTC
    ],
)
def test_a_time_at_the_edges_of_the_calendar_is_out_of_range(moment):
    assert datetime_problem(moment) == Problem(
        "date_out_of_range", "must be between 1970-01-01 and 2999-12-31 23:59:59 UTC."
    )
    with pytest.raises(ValidationError) as refused:
        DateTimeRangeValidator()(moment)
    assert refused.value.code == "date_out_of_range"


@pytest.mark.parametrize(
    "moment",
    [
        EARLIEST,
        LATEST,
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        datetime(1970, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=12))),  # 01:00 UTC
        datetime(2999, 12, 31, 11, 0, tzinfo=timezone(timedelta(hours=-12))),  # 23:00 UTC
    ],
)
def test_a_time_in_range_is_kept(moment):
    assert datetime_problem(moment) is None


# --- JSON depth and ids --------------------------------------------------------------------------------


def test_json_depth_counts_objects_and_arrays_only():
    assert not json_depth_exceeds({"scores": {"x": {"score": 4, "evidence": "y"}}}, 3)
    assert json_depth_exceeds({"scores": {"x": {"score": [4]}}}, 3)
    assert not json_depth_exceeds("scalar", 0)
    assert not json_depth_exceeds([[], {}, "x"], 2)


def test_json_depth_of_a_very_deep_document_is_found_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert json_depth_exceeds(deep, 32)


def test_an_id_beyond_64_bits_matches_no_route():
    converter = IdConverter()
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    assert converter.to_python("0042") == 42
    with pytest.raises(ValueError):
        converter.to_python(str(MAX_ID + 1))
    with pytest.raises(ValueError):
        converter.to_python("24370207648513703936")
