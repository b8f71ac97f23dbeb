"""Filters for the debrief pages."""

from __future__ import annotations

from django import template

from debriefs.selectors import vote_label

register = template.Library()


@register.filter(name="vote_label")
def vote_label_filter(vote: str | None) -> str:
    """ "Strong Yes" for "strong_yes"; empty for no vote."""
    return vote_label(vote)
