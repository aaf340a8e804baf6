"""JSON only: a strict body parser and the one shape of every API error, {"error": message}.

Python's `json` module accepts NaN, Infinity and numbers beyond a float (1e400 → inf) and
overflows the stack on 100,000 nested brackets; none of that reaches a view here.
"""

import json
import logging
import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from audit.versions import StaleObjectError

logger = logging.getLogger(__name__)
MAX_DEPTH = 20


class ErrorOut(Schema):
    """Every error the API answers: a message for people, and for invalid input the list of
    fields at fault."""

    error: str
    detail: list[dict] | None = None


class BodyError(ValueError):
    """A request body the API refuses; the message is for the user."""


def _constant(name: str):
    raise BodyError(_("Numbers must be finite: %(name)s is not accepted.") % {"name": name})


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyError(_("The number %(text)s is too large.") % {"text": text[:20]})
    return value


def _depth(value, limit: int = MAX_DEPTH) -> int:
    stack, deepest = [(value, 1)], 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            break
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def parse_json_object(body: bytes) -> dict:
    """The body as a JSON object, or `BodyError` saying why not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(_("The body is not UTF-8 text.")) from None
    # Deep nesting is refused before the parser recurses into it.
    if text.count("[") + text.count("{") > MAX_DEPTH and _bracket_depth(text) > MAX_DEPTH:
        raise BodyError(_("The JSON is nested too deeply."))
    try:
        data = json.loads(text, parse_constant=_constant, parse_float=_finite_float)
    except BodyError:
        raise
    except (ValueError, RecursionError):
        raise BodyError(_("The body is not JSON.")) from None
    if not isinstance(data, dict):
        raise BodyError(_("The body must be a JSON object ({…})."))
    if _depth(data) > MAX_DEPTH:
        raise BodyError(_("The JSON is nested too deeply."))
    return data


def _bracket_depth(text: str) -> int:
    """Nesting depth of brackets outside strings (a quick scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


class StrictParser(Parser):
    """JSON bodies must be objects of finite numbers; form posts (the first API's contract)
    are read as forms."""

    def parse_body(self, request: HttpRequest):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {key: request.POST.get(key) for key in request.POST}
        return parse_json_object(request.body)


def error_response(message: str, status: int, detail: list | None = None) -> JsonResponse:
    payload: dict = {"error": message}
    if detail is not None:
        payload["detail"] = detail
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def _plain_errors(errors: list[dict]) -> list[dict]:
    """Pydantic's error list made JSON-safe (its `ctx` may hold exceptions)."""
    plain = []
    for error in errors[:20]:
        plain.append(
            {
                "loc": [str(part) for part in error.get("loc", [])],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    return plain


def install(api) -> None:
    """Replace django-ninja's error handlers with ours (JSON, Chinese by default)."""

    def on_validation(request, exc: ValidationError):
        detail = _plain_errors(exc.errors)
        where = ", ".join(".".join(e["loc"][1:] or e["loc"]) for e in detail) or "?"
        return error_response(
            _("Invalid input: %(fields)s.") % {"fields": where}, 400, detail=detail
        )

    def on_http_error(request, exc: HttpError):
        cause = exc.__cause__
        if isinstance(cause, BodyError):
            return error_response(str(cause), 400)
        if exc.status_code == 403 and "CSRF" in str(exc):
            return error_response(
                _("The CSRF check failed: send the X-CSRFToken header, or use an API token."),
                403,
            )
        if exc.status_code == 400:
            return error_response(_("The body cannot be read."), 400)
        return error_response(str(exc), exc.status_code)

    def on_not_found(request, exc):
        return error_response(_("Not found, or not yours to see."), 404)

    def on_denied(request, exc):
        from audit.services import record

        record(
            "security.permission_denied",
            None,
            success=False,
            object_type="http.request",
            object_repr=request.path[:300],
            after={"method": request.method, "path": request.path},
        )
        return error_response(_("You may not do this."), 403)

    def on_unauthenticated(request, exc):
        return error_response(
            _("Log in first, or send an API token: Authorization: Bearer <token>."), 401
        )

    def on_rule(request, exc: DjangoValidationError):
        return error_response(" ".join(exc.messages), 400)

    def on_stale(request, exc: StaleObjectError):
        return error_response(str(exc), 409)

    def on_anything(request, exc: Exception):
        logger.exception("API error on %s", request.path)
        return error_response(_("Internal error; it has been logged."), 500)

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_denied)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(DjangoValidationError, on_rule)
    api.add_exception_handler(StaleObjectError, on_stale)
    api.add_exception_handler(Exception, on_anything)
