"""The site's URLs plus views that fail, to see the error pages through the whole stack."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import *  # noqa: F403 (handler400 … handler500 too)
from config.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("internal detail of the failure")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a tampered request")


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/denied/", denied),
    path("api/v1/test-errors/boom/", boom),
    path("api/v1/test-errors/suspicious/", suspicious),
    path("api/v1/test-errors/denied/", denied),
    *site_urlpatterns,
]
