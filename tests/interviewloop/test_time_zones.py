"""The zone rule (pure): every IANA zone the zone database knows is a zone a user may have; nothing else is."""

from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given
from hypothesis import strategies as st

from interviewloop.time_zones import time_zone_groups, time_zone_names, time_zone_problem

ZONES = sorted(available_timezones() - {"localtime", "posixrules"})


@given(st.sampled_from(ZONES))
def test_every_iana_zone_is_a_time_zone(name):
    assert time_zone_problem(name) is None
    assert ZoneInfo(name).key == name


@given(st.text(max_size=80).filter(lambda text: text not in available_timezones()))
def test_anything_else_is_refused_with_a_sentence(text):
    problem = time_zone_problem(text)
    assert problem is not None and problem.endswith(".")


def test_the_refusals_say_what_a_zone_looks_like():
    assert time_zone_problem("") == "Pick a time zone."
    assert time_zone_problem("Mars/Olympus_Mons") == (
        "Mars/Olympus_Mons is not a time zone: give an IANA name such as Europe/Paris or America/New_York."
    )
    assert time_zone_problem("europe/paris") is not None  # IANA names are case-sensitive, as zoneinfo's keys
    assert time_zone_problem("localtime") is not None  # the machine's own setting, no IANA name
    assert time_zone_problem("x" * 500).startswith("'" + "x" * 64 + "' is not a time zone")


def test_the_select_groups_every_zone_once_by_region_with_the_regionless_last():
    groups = time_zone_groups()
    names = [name for _, zone_names in groups for name in zone_names]
    assert sorted(names) == ZONES and set(names) == time_zone_names()
    regions = [region for region, _ in groups]
    assert regions[-1] == "Other" and regions[:-1] == sorted(regions[:-1])
    europe = dict(groups)["Europe"]
    assert "Europe/Paris" in europe and all(name.startswith("Europe/") for name in europe)
    assert "UTC" in dict(groups)["Other"]
