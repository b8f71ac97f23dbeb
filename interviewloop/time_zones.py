"""Time zones a user may choose (pure: no Django): IANA names, as `zoneinfo` knows them.

The names are the system's zone database and the `tzdata` package's (requirements.txt: the slim image has no
system database), less `localtime`, which is a machine's own setting and no IANA name.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

NOT_IANA = frozenset({"localtime", "posixrules"})
TIME_ZONE_MAX_LENGTH = 64  # the longest IANA name is 32 characters (America/Argentina/ComodRivadavia)


@cache
def time_zone_names() -> frozenset[str]:
    """Every zone a user may pick (read once: scanning the zone database takes a quarter of a second)."""
    return frozenset(available_timezones()) - NOT_IANA


def time_zone_problem(name: str) -> str | None:
    """Why `name` is no time zone a user may have, as a sentence; None when it is one ("Europe/Paris")."""
    if not name.strip():
        return "Pick a time zone."
    if name in time_zone_names():
        return None
    shown = name if len(name) <= TIME_ZONE_MAX_LENGTH and name.isprintable() else repr(name[:TIME_ZONE_MAX_LENGTH])
    return f"{shown} is not a time zone: give an IANA name such as Europe/Paris or America/New_York."


def time_zone_groups() -> list[tuple[str, list[str]]]:
    """The zones by region for a select ("Europe": [..., "Europe/Paris", ...]), regions in alphabetical order;
    names without a region ("UTC", "GB") last, under "Other"."""
    regions: dict[str, list[str]] = {}
    for name in sorted(time_zone_names()):
        region = name.split("/", 1)[0] if "/" in name else "Other"
        regions.setdefault(region, []).append(name)
    other = regions.pop("Other", [])
    return [*sorted(regions.items()), *([("Other", other)] if other else [])]
