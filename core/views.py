"""Error pages. Under /api/ every error is the API's JSON shape, whatever raised it (an unknown
path, an exception outside DRF's handler); elsewhere the HTML page."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .errors import error_body

API_PREFIX = "/api/"
MSG_FORBIDDEN = _("Your role does not allow this action.")
MSG_NOT_FOUND = _("Not found.")
MSG_SERVER_ERROR = _("Something went wrong on our side; nothing was saved. Try again, or tell an administrator.")


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def forbidden(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("forbidden", MSG_FORBIDDEN), status=403)
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", MSG_NOT_FOUND), status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _is_api(request):
        return JsonResponse(error_body("server_error", MSG_SERVER_ERROR), status=500)
    return render(request, "500.html", status=500)
