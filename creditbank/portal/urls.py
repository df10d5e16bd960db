from django.urls import path

from creditbank.portal import views

# No app_name: the home page is "home" everywhere (LOGIN_REDIRECT_URL, redirects, the site's header).
urlpatterns = [
    path("", views.home, name="home"),
]
