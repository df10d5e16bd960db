from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, HttpRequest
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe

from config.api import api, api_not_found


@require_safe
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico, which browsers and feed readers ask for whatever the pages link."""
    response = FileResponse((settings.BASE_DIR / "static" / "favicon.ico").open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("", include("creditbank.portal.urls")),
    path("accounts/", include("creditbank.accounts.urls")),
    path("", include("creditbank.identity.urls")),
    path("", include("creditbank.profiles.urls")),
    path("", include("creditbank.notices.urls")),
    path("", include("creditbank.institutions.urls")),
    path("", include("creditbank.ledger.urls")),
    path("", include("creditbank.outcomes.urls")),
    path("", include("creditbank.outcomes.import_urls")),
    path("", include("creditbank.rules.urls")),
    path("", include("creditbank.rules.conversion_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
]

handler400 = "creditbank.kernel.error_pages.bad_request"
handler403 = "creditbank.kernel.error_pages.permission_denied"
handler404 = "creditbank.kernel.error_pages.page_not_found"
handler500 = "creditbank.kernel.error_pages.server_error"
