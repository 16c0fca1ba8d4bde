"""Django's own error pages for addresses under /api/, in the API's JSON shape.

DRF answers errors raised inside a view; these cover what never reaches one: an address that
matches no route (`/api/v1/incidents/abc/`) and an error outside a view."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": "Nothing here: check the address against /api/docs/.", "code": "not_found"}, status=404
        )
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request) and isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": "The request body is too large.", "code": "too_large"}, status=413)
    if _is_api(request):
        return JsonResponse({"detail": "The request could not be read.", "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side; it has been logged.", "code": "server_error"},
            status=500,
        )
    return defaults.server_error(request)
