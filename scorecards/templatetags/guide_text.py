"""The guide's own text in the kit: its markdown (lists, emphasis, quotes) rendered, and nothing else let through."""

from __future__ import annotations

import markdown
import nh3
from django import template
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What the guide's markdown produces; anything else (a <script>, an onclick, a raw <img>) is removed, not escaped.
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "a", "h4", "h5", "h6", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@register.filter(name="guide_markdown")
def guide_markdown(text: str | None) -> SafeString:
    """Rubric text as safe HTML: markdown with the guide's line breaks kept (a signal per line), then sanitized."""
    if not text:
        return mark_safe("")
    html = markdown.markdown(text, extensions=["nl2br", "sane_lists"], output_format="html")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"})
    return mark_safe(cleaned)  # noqa: S308 - sanitized by nh3 against the allow-list above


@register.filter(name="guide_plain")
def guide_plain(text: str | None) -> str:
    """Rubric text on one line, for a summary: the markdown's words without its marks, one line per clause."""
    if not text:
        return ""
    words = strip_tags(markdown.markdown(text, extensions=["sane_lists"]))
    return "; ".join(line.strip() for line in words.splitlines() if line.strip())
