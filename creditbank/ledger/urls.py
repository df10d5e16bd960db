from django.urls import path

from creditbank.ledger import views

app_name = "ledger"
urlpatterns = [
    path("credits/", views.credits_page, name="credits"),
]
