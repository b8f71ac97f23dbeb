"""The API's JSON parser: DRF's, refusing a document nested deeper than any request of the contract needs.

Python's decoder recurses once per level, so `[[[[...]]]]` a thousand deep raised RecursionError (a 500),
even before authentication (`POST /api/auth/token/`). Anything deeper than `API_JSON_MAX_DEPTH` is
a 400 `malformed_request`, as any other unreadable body is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def json_depth_exceeds(document: Any, limit: int) -> bool:
    """Whether `document` (parsed JSON) nests objects and arrays more than `limit` deep. Iterative: no recursion."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.API_JSON_MAX_DEPTH
        document: Any = None
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            too_deep = True  # deeper than the interpreter's own recursion limit
        else:
            too_deep = json_depth_exceeds(document, limit)
        if too_deep:
            raise ParseError(f"JSON parse error - the body nests objects or arrays more than {limit} deep.")
        return document
