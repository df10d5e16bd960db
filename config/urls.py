from django.contrib import admin
from django.urls import include, path, re_path

from config.api import api, api_not_found
from creditbank.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("creditbank.accounts.urls")),
    path("", include("creditbank.identity.urls")),
    path("", include("creditbank.profiles.urls")),
    path("", include("creditbank.notices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("admin/", admin.site.urls),
]

handler400 = "creditbank.kernel.error_pages.bad_request"
handler403 = "creditbank.kernel.error_pages.permission_denied"
handler404 = "creditbank.kernel.error_pages.page_not_found"
handler500 = "creditbank.kernel.error_pages.server_error"
