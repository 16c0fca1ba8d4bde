"""Pronto's URLs plus two "hello" views that run through the same stack (middleware, session or
token authentication, role permission, DRF parsing and rendering) and do nothing else: the
reference a Pronto endpoint is compared with in bench/api_load.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from console.permissions import desk_required
from core.api.permissions import IsDeskStaff


class HelloApiView(APIView):
    permission_classes = [IsDeskStaff]

    def get(self, request):
        return Response({"hello": "world"})

    def post(self, request):
        return Response({"hello": "world", "fields": sorted(request.data)}, status=201)


@desk_required
def hello_console(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<p>hello</p>")


urlpatterns = [
    path("bench/hello/", HelloApiView.as_view(), name="bench-hello"),
    path("bench/hello-console/", hello_console, name="bench-hello-console"),
    path("", include("config.urls")),
]
