"""The site's URLs plus page views that let a DomainError escape, to see how pages answer it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import *  # noqa: F403 (handler400 … handler500 too)
from config.urls import urlpatterns as site_urlpatterns
from creditbank.kernel.errors import DomainError, NotFound, PermissionDenied


def not_found(request: HttpRequest) -> HttpResponse:
    raise NotFound("No such thing (internal detail).")


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not_yours", "Not yours (internal detail).")


def refused(request: HttpRequest) -> HttpResponse:
    raise DomainError("some_refusal", "A refusal a view forgot to explain.")


urlpatterns = [
    path("test-domain-errors/not-found/", not_found),
    path("test-domain-errors/denied/", denied),
    path("test-domain-errors/refused/", refused),
    *site_urlpatterns,
]
