"""The application's one error hierarchy, and the one place it becomes an HTTP response.

Services raise these; API views let them propagate to `api_exception_handler`; HTML views turn
`fields` into form errors with `core.forms.add_service_errors`. Messages are translatable constants
so tests can assert on them.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler


class ApplicationError(Exception):
    code = "error"
    http_status = status.HTTP_400_BAD_REQUEST
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, fields=None):
        self.message = message or self.default_message
        # field name -> list of messages; "__all__" for errors that belong to no single field
        self.fields = {
            name: list(msgs) if isinstance(msgs, (list, tuple)) else [msgs] for name, msgs in (fields or {}).items()
        }
        super().__init__(str(self.message))


class InvalidInput(ApplicationError):
    code = "invalid"
    http_status = status.HTTP_400_BAD_REQUEST
    default_message = _("Some fields are missing or invalid.")


class NotAllowed(ApplicationError):
    code = "forbidden"
    http_status = status.HTTP_403_FORBIDDEN
    default_message = _("Your role does not allow this action.")


class NotFound(ApplicationError):
    code = "not_found"
    http_status = status.HTTP_404_NOT_FOUND
    default_message = _("Not found.")


class Conflict(ApplicationError):
    code = "conflict"
    http_status = status.HTTP_409_CONFLICT
    default_message = _("The record changed meanwhile; reload and try again.")


def error_body(code, detail, fields=None):
    return {"code": code, "detail": str(detail), "fields": {k: [str(m) for m in v] for k, v in (fields or {}).items()}}


def _flatten_drf_detail(detail, prefix=""):
    """DRF nests errors (lists of dicts for nested serializers); the API promises flat field paths."""
    flat = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "__all__" if key == "non_field_errors" else key
            flat.update(_flatten_drf_detail(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            flat.setdefault(prefix or "__all__", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                flat.update(_flatten_drf_detail(item, f"{prefix}[{index}]"))
    else:
        flat.setdefault(prefix or "__all__", []).append(str(detail))
    return flat


def api_exception_handler(exc, context):
    """Every API error is `{"code": ..., "detail": ..., "fields": {...}}`."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.http_status)
    if isinstance(exc, drf_exceptions.ValidationError):
        return Response(
            error_body(InvalidInput.code, InvalidInput.default_message, _flatten_drf_detail(exc.detail)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_default_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = error_body(code, detail)
    return response
