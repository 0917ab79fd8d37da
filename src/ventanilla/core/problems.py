"""RFC 9457 problem details: the one shape of every error the API answers, and the answers each
operation declares besides its own result. Every app's router names them; the handlers that write
them are in ``api.problems``."""

from __future__ import annotations

from ninja import Schema


class FieldErrorOut(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    """An error, as RFC 9457 problem details. ``type`` is stable; match on it, not on text."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldErrorOut] = []


PROBLEM_RESPONSES: dict[int, type[ProblemOut]] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
    413: ProblemOut,
    415: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
    503: ProblemOut,
}
# What an operation open to everyone can answer besides its own result.
PUBLIC_PROBLEM_RESPONSES: dict[int, type[ProblemOut]] = {429: ProblemOut}
