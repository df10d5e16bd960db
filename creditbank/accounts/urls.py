from django.urls import path

from creditbank.accounts import views

app_name = "accounts"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("terms/", views.terms, name="terms"),
    path("activate/<str:token>/", views.activate, name="activate"),
    path("activation/resend/", views.activation_resend, name="activation_resend"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/set/", views.password_set, name="password_set"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
]
