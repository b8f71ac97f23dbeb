"""Domain errors: raised by services, turned into the contract's `{"code", "detail", ...}` by one handler."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with a stable `code` and a sentence a person can act on."""

    status = 400
    code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, status: int | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.extra}


class Invalid(DomainError):
    status = 400


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "permission_denied"
