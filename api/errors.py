"""JSON only: a strict body parser and the one shape of every API error, {"error": message}.

Python's `json` module accepts NaN, Infinity and numbers beyond a float (1e400 → inf) and
overflows the stack on 100,000 nested brackets; none of that reaches a view here.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from audit.versions import StaleObjectError
from common.validation import InputError, check_text_values, parse_json_object

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    """Every error the API answers: a message for people, and for invalid input the list of
    fields at fault."""

    error: str
    detail: list[dict] | None = None


# A request body the API refuses (its message is for the user): the one JSON reader of
# `common.validation` decides, for the API as for every other JSON body.
BodyError = InputError


class StrictParser(Parser):
    """JSON bodies must be objects of finite numbers; form posts (the first API's contract)
    are read as forms."""

    def parse_body(self, request: HttpRequest):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            # a page's form carries its CSRF token: not a field of the body
            data = {
                key: request.POST.get(key) for key in request.POST if key != "csrfmiddlewaretoken"
            }
            check_text_values(data)
            return data
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
        # the plain message: str() of a ValidationError is the repr of its list of messages
        return error_response(" ".join(exc.messages), 409)

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
